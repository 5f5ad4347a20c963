"""The periodic duties of annex V ("SOP Pemeliharaan Kinerja dan Kapasitas SPSE", R-5.6) as data.

The annex names each duty and who does it, but no frequency. The frequencies here are the
LPSE's starting choice, each with its reason: Pasal 12.1 asks for *daily* monitoring of disk and
memory, Pasal 14.1 a backup at least every 7 × 24 hours, and the rest follow how fast the thing
watched can go wrong. The head of LPSE or the application administrator (MANAGE_DUTIES) changes
a frequency or a role on the catalogue page; ``load_catalogue`` never overwrites those choices.

Roles: the annex's "Administrator Sistem" is ``sysadmin`` for the watching duties; the duties
that change the application's data (news, price index, categories, business fields, accounts)
go to ``app_admin``, who holds those capabilities in this system (PUBLISH_NEWS,
MANAGE_PRICE_INDEX, MANAGE_MASTER_DATA, MANAGE_LPSE_STAFF) — a duty must be given to someone able
to do it. "Ahli Software / Database / Sistem Jaringan" and "Hardware engineer" are the tech_*
roles of SPEC 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop as N_

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"

# The automatic checks (services/duty_checks.py) a duty may name.
SITE_UP = "site_up"
BACKUP_VERIFIED = "backup_verified"
DISK = "disk"
TABLE_GROWTH = "table_growth"
LOCKOUTS = "lockouts"


@dataclass(frozen=True)
class Entry:
    code: str
    group: str
    title: str  # an English msgid, shown translated
    annex_text: str  # the annex's words
    annex_performer: str
    frequency: str
    role: str
    auto_check: str = ""


SOFTWARE = N_("SPSE application")
OS = N_("Operating system")
DATABASE = N_("Database")
HARDWARE = N_("Hardware")
NETWORK = N_("Network and data security")

CATALOGUE: tuple[Entry, ...] = (
    # --- 1.a Aplikasi SPSE ------------------------------------------------------------------
    Entry("app-site-up", SOFTWARE, N_("Check that the SPSE site is up"),
          "Melakukan pengawasan apakah website SPSE masih tetap berjalan",
          "Administrator SPSE", DAILY, "sysadmin", SITE_UP),
    Entry("app-web-server", SOFTWARE, N_("Check that the web server is alive"),
          "Melakukan pengawasan apakah web server (Apache Tomcat) aplikasi SPSE masih aktif",
          "Administrator Sistem", DAILY, "sysadmin"),
    Entry("app-access", SOFTWARE, N_("Watch who is accessing the system"),
          "Melakukan pengawasan terhadap user/pengguna yang akses ke dalam sistem SPSE",
          "Administrator Sistem", DAILY, "sysadmin"),
    Entry("app-virus", SOFTWARE, N_("Watch for viruses attacking the system"),
          "Melakukan pengawasan apakah ada virus yang melakukan penyerangan ke dalam sistem SPSE",
          "Administrator Sistem", DAILY, "sysadmin"),
    Entry("app-intrusion", SOFTWARE, N_("Watch for intrusion attempts (sign-in failures, lock-outs)"),
          "Melakukan pengawasan untuk memastikan tidak adanya hacker yang mencoba masuk ke dalam "
          "website SPSE", "Administrator Sistem", DAILY, "sysadmin", LOCKOUTS),
    Entry("app-catalogue", SOFTWARE, N_("Update the catalogue data"),
          "Melakukan update data catalog, menambah, merubah dan menghapus data-data catalog",
          "Admin Penyedia barang/jasa", MONTHLY, "app_admin"),
    Entry("app-news", SOFTWARE, N_("Publish news on procurement"),
          "Melakukan update berita-berita baru mengenai pengadaan barang/jasa",
          "Administrator Sistem", WEEKLY, "app_admin"),
    Entry("app-price-index", SOFTWARE, N_("Update the price index used for basic capability"),
          "Melakukan update Indeks Harga yang dijadikan acuan dalam evaluasi kemampuan dasar",
          "Administrator Sistem", MONTHLY, "app_admin"),
    Entry("app-goods-categories", SOFTWARE, N_("Update the goods categories"),
          "Melakukan update kategori barang", "Administrator Sistem", MONTHLY, "app_admin"),
    Entry("app-business-fields", SOFTWARE, N_("Update the business fields and sub-fields"),
          "Melakukan update Bidang kegiatan dan Sub Bidang Kegiatan",
          "Administrator Sistem", MONTHLY, "app_admin"),
    Entry("app-accounts", SOFTWARE, N_("Maintain government and provider user accounts"),
          "Melakukan pemeliharaan terhadap user/identitas pengguna instansi pemerintah dan "
          "penyedia barang/jasa", "Administrator Sistem", WEEKLY, "app_admin"),
    # --- 1.b Operating System ---------------------------------------------------------------
    Entry("os-user-rights", OS, N_("Check the users' access rights on the servers"),
          "Melakukan pengawasan terhadap hak akses user yang dapat masuk ke dalam sistem Linux",
          "Ahli Software", WEEKLY, "tech_software"),
    Entry("os-processes", OS, N_("Check the running processes"),
          "Melakukan pengontrolan dan memonitor proses yang sedang berjalan",
          "Ahli Software", DAILY, "tech_software"),
    Entry("os-logs", OS, N_("Read the system logs"),
          "Melakukan pengawasan terhadap system log atau log dari masing-masing proses yang "
          "berjalan", "Ahli Software", DAILY, "tech_software"),
    Entry("os-password-files", OS, N_("Check the protection of the password files"),
          "Melakukan pengawasan terhadap pengamanan file-file password user",
          "Ahli Software", WEEKLY, "tech_software"),
    Entry("os-dns", OS, N_("Check DNS"), "Melakukan pengawasan terhadap DNS",
          "Ahli Software", WEEKLY, "tech_software"),
    # Pasal 12.1: "monitoring harian terhadap kondisi dan kapasitas hardisk dan RAM".
    Entry("os-disks", OS, N_("Check the disks and storage media"),
          "Melakukan pengecekan media penyimpan data, seperti hard-disk, cd-room",
          "Ahli Software", DAILY, "tech_software", DISK),
    Entry("os-mail", OS, N_("Check the mail server and viruses in mail"),
          "Melakukan pengecekan terhadap Mail Server; pengecekan virus-virus terhadap email yang "
          "masuk dan keluar jaringan", "Ahli Software", WEEKLY, "tech_software"),
    Entry("os-proxy", OS, N_("Check the proxy server"),
          "Melakukan pengecekan terhadap Proxy Server untuk menjaga stabilitas koneksi jaringan "
          "intemal dan internet", "Ahli Software", WEEKLY, "tech_software"),
    # --- 1.c Database -----------------------------------------------------------------------
    # Pasal 14.1: a backup at least every 7 × 24 hours; the check is that one was verified.
    Entry("db-backup", DATABASE, N_("Back up and check that the backup can be recovered"),
          "Melakukan Backup dan Recovery Data", "Ahli Database", WEEKLY, "tech_database",
          BACKUP_VERIFIED),
    Entry("db-hung-transactions", DATABASE, N_("Look for hung transactions in the database"),
          "Melakukan pengawasan terhadap proses system database, misalnya jika ada proses "
          "transaksi yang menggantung", "Ahli Database", DAILY, "tech_database"),
    Entry("db-user-table", DATABASE, N_("Watch the growth of the user table"),
          "Melakukan pemantauan pada penambahan dan peningkatan data pada table user",
          "Ahli Database", WEEKLY, "tech_database"),
    Entry("db-data-files", DATABASE, N_("Watch the growth of the data files"),
          "Melakukan pemantauan pada penambahan dan peningkatan data pada data file",
          "Ahli Database", WEEKLY, "tech_database", TABLE_GROWTH),
    # --- 2 Perangkat Keras ------------------------------------------------------------------
    Entry("hw-computers", HARDWARE, N_("Check monitors, server and client PCs, keyboards, mice"),
          "Melakukan pengawasan terhadap kondisi monitor, PC server & klien, keyboard, mouse",
          "Hardware engineer", WEEKLY, "tech_hardware"),
    Entry("hw-media", HARDWARE, N_("Check the PCs' drives and removable media"),
          "Melakukan pengawasan tehadap media pendukung PC, seperti CD-Room, Floppy Disk dll",
          "Hardware engineer", MONTHLY, "tech_hardware"),
    Entry("hw-hubs", HARDWARE, N_("Check the hubs and switches"),
          "Melakukan pengawasan terhadap Hub", "Hardware engineer", WEEKLY, "tech_hardware"),
    Entry("hw-ports", HARDWARE, N_("Check the PCs' ports (USB, serial, LAN …)"),
          "Melakukan pengawasan terhadap port PC, seperti port USB, Serial, Pararel, PS2, Lan",
          "Hardware engineer", MONTHLY, "tech_hardware"),
    # --- 3 Jaringan Komunikasi dan Keamanan Data ----------------------------------------------
    Entry("net-clients", NETWORK, N_("Check the clients' connections to the server"),
          "Melakukan pengawasan terhadap koneksi klien ke server",
          "Ahli Sistem jaringan", DAILY, "tech_network"),
    Entry("net-devices", NETWORK, N_("Check that network devices and servers are not down"),
          "Melakukan monitoring terhadap peripheral-periperal jaringan dan farm server yang ada "
          "di data center sehingga tidak mati atau down", "Ahli Sistem jaringan", DAILY,
          "tech_network"),
    Entry("net-updates", NETWORK, N_("Update the services of the SPSE, database and security servers"),
          "Melakukan updating services server SPSE, server database dan server security",
          "Ahli Sistem jaringan", MONTHLY, "tech_network"),
    Entry("net-open-ports", NETWORK, N_("Check the network devices for open ports"),
          "Melakukan monitoring port-port yang ada di peripheral jaringan sehingga tidak ada "
          "lubang-lubang yang dapat dimasuki oleh para hacker", "Ahli Sistem jaringan", WEEKLY,
          "tech_network"),
)  # fmt: skip


def load_catalogue(apps_or_models=None) -> int:
    """Write the catalogue into the ``Duty`` table; return how many duties were added.

    ``apps_or_models``: a data migration's ``apps`` (``RunPython``), or None for the current
    models (tests, ``lpse setup``). A duty already there keeps its frequency, role and on/off —
    the LPSE's choices; only the annex's words and the automatic check are brought up to date.
    """
    from lpse.operations.models import Duty as CurrentDuty

    # A migration passes its historical models (the ``Duty`` of that point in history).
    model = (
        CurrentDuty if apps_or_models is None else apps_or_models.get_model("operations", "Duty")
    )
    added = 0
    for order, entry in enumerate(CATALOGUE, start=1):
        _duty, created = model.objects.update_or_create(
            code=entry.code,
            defaults={
                "group": entry.group,
                "title": entry.title,
                "annex_text": entry.annex_text,
                "annex_performer": entry.annex_performer,
                "auto_check": entry.auto_check,
                "order": order,
            },
            create_defaults={
                "group": entry.group,
                "title": entry.title,
                "annex_text": entry.annex_text,
                "annex_performer": entry.annex_performer,
                "auto_check": entry.auto_check,
                "order": order,
                "frequency": entry.frequency,
                "role": entry.role,
            },
        )
        added += created
    return added
