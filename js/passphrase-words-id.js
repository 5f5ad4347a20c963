// Words and passwords an attacker tries first against an Indonesian user, for the passphrase
// meter (lpse-passphrase.min.js). zxcvbn ships no Indonesian pack, and its English lists miss
// all of these. Order matters: zxcvbn treats an earlier word as a likelier guess (rank 1 is the
// most common), and ranks 1-10 are reported as "heavily used". Write entries in lower case; the
// meter already tries capitals, l33t spellings (r4h4s1a), reversals and added digits itself.
export default [
  // Common Indonesian passwords, most common first (from published analyses of leaked lists).
  "sayang", "bismillah", "rahasia", "indonesia", "sayangku", "cintaku", "cinta", "katasandi",
  "anjing", "doraemon",
  "bismillah123", "sayang123", "rahasia123", "indonesia123", "alhamdulillah", "kucing",
  "merdeka", "garuda", "akusayangkamu", "sandi", "sandi123", "katasandi123", "rahasiaku",
  "cintakamu", "kekasih", "kasih", "kasihku", "bunda", "mama", "papa", "ibu", "bapak",
  "anakku", "keluarga", "bahagia", "semangat", "sukses", "berkah", "barokah", "rezeki",
  "amanah", "jujur", "insyaallah", "masyaallah", "subhanallah", "allahuakbar",
  "assalamualaikum", "lailahaillallah", "astaghfirullah", "pancasila", "nusantara",
  "bhinneka", "bhinnekatunggalika", "merahputih", "proklamasi", "dirgahayu", "17agustus1945",
  "jakarta", "bandung", "surabaya", "makassar", "maros", "sulawesi", "sulsel", "gowa", "bone",
  "toraja", "bugis", "medan", "jogja", "yogyakarta", "bali", "persib", "persija", "persebaya",
  "arema", "psm", "psmmakassar", "timnas", "sepakbola", "bola", "rumah", "kampung", "desa",
  "sekolah", "kuliah", "mahasiswa", "guru", "kantor", "kerja", "masuk", "daftar", "coba",
  "cobacoba", "percobaan", "selamat", "selamatdatang", "terimakasih", "halo", "hallo",
  "apaaja", "terserah", "gatau", "kosong", "rahasiadong", "kunci", "kuncirahasia",
  // Password variants an office account is often given.
  "password", "password1", "password123", "passw0rd", "p@ssw0rd", "pass1234", "admin",
  "admin123", "admin1234", "administrator", "superadmin", "operator", "operator123", "user",
  "user123", "test", "test123", "default", "changeme", "qwerty123",
  // Procurement words a user of this system reaches for.
  "lpse", "lpse123", "lpsemaros", "spse", "pengadaan", "pengadaan123", "lelang", "tender",
  "pokja", "pokjapemilihan", "ukpbj", "penyedia", "panitia", "pemda", "pemkab", "pemkot",
  "kabupaten", "pemerintah", "dinas", "skpd", "opd", "ppk", "apbd", "apbn", "lkpp",
  "inaproc", "apendo", "penawaran", "dokumen", "kontrak",
  // The demo accounts' published passwords (lpse.demo.names.demo_password, one per role):
  // known to everyone who has seen a demo, so never good enough for a real key.
  "provider-demo2026!", "verifier-demo2026!", "helpdesk-demo2026!", "sysadmin-demo2026!",
  "app-admin-demo2026!", "lpse-head-demo2026!", "service-head-demo2026!",
  "admin-head-demo2026!", "trainer-demo2026!", "agency-admin-demo2026!",
  "budget-user-demo2026!", "ppk-demo2026!", "committee-demo2026!",
  "procurement-officer-demo2026!", "auditor-demo2026!", "lkpp-monitor-demo2026!",
  "tech-software-demo2026!", "tech-database-demo2026!", "tech-hardware-demo2026!",
  "tech-network-demo2026!", "demo2026", "demo",
];
