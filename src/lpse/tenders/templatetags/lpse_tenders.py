from django import template

from lpse.tenders.selectors import schedule as sched

register = template.Library()


@register.filter
def schedule_diff(change):
    """Rows (stage, old, new, changed) of a schedule change, in stage order, WITA."""
    old, new = sched.from_json(change.old_schedule), sched.from_json(change.new_schedule)

    def span(entry):
        return f"{sched.wita(entry[0])} – {sched.wita(entry[1])}" if entry else "—"

    return [
        (sched.label(s), span(old.get(s)), span(new.get(s)), old.get(s) != new.get(s))
        for s in sched.STAGE_ORDER
        if s in old or s in new
    ]
