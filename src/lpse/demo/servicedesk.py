"""Demo data of the service desk (R-2.1): approved answers in the knowledge base and a provider's
question answered from one of them, so the helpdesk, the FAQ and "my tickets" can be tried at
once. Written through the services, as a person at the desk would."""

from __future__ import annotations

from lpse.accounts.models import User
from lpse.accounts.roles import Role

ARTICLES = [
    (
        "upload_problem",
        "Unggahan penawaran terputus di tengah jalan. Apakah harus mengulang dari awal?",
        "Tidak. Buka kembali halaman penawaran dengan peramban yang sama dan pilih berkas yang "
        "sama: bagian yang sudah diterima server tidak dikirim ulang. Penawaran baru sah setelah "
        "Anda menerima tanda terima.",
    ),
    (
        "feature_info",
        "Bagaimana memastikan penawaran saya diterima?",
        "Setiap penawaran yang diterima mendapat tanda terima bertanda tangan (JSON dan PDF) "
        "berisi waktu server dan sidik jari SHA-256. Simpan tanda terima itu; Anda dapat "
        "memeriksanya kapan saja di halaman penawaran.",
    ),
    (
        "consultation",
        "Berapa lama verifikasi pendaftaran Penyedia?",
        "Paling lama 7 hari kerja sejak pendaftaran. Bawa dokumen asli sesuai persyaratan yang "
        "diumumkan ke meja verifikasi pada jam layanan.",
    ),
]


def load(*, provider: User) -> None:
    from lpse.demo.names import demo_username
    from lpse.servicedesk.models import KnowledgeArticle
    from lpse.servicedesk.services import knowledge
    from lpse.servicedesk.services import tickets as services

    if KnowledgeArticle.objects.exists():
        return
    helpdesk = User.objects.get(username=demo_username(Role.HELPDESK))
    head = User.objects.get(username=demo_username(Role.SERVICE_HEAD))
    articles = []
    for category, question, answer in ARTICLES:
        article = knowledge.article_create(
            actor=helpdesk, question=question, answer=answer, category=category
        )
        articles.append(knowledge.article_approve(actor=head, article=article))
    ticket = services.ticket_submit(
        actor=provider,
        request=services.Request(
            category="upload_problem",
            subject="Unggahan terhenti di 40%",
            question="Saat mengunggah penawaran koneksi terputus. Apakah saya harus mulai lagi?",
        ),
    )
    services.ticket_answer(
        actor=helpdesk, ticket=ticket, answer=articles[0].answer, article=articles[0]
    )
