"""Non-tender procurement by the procurement officer (Pejabat Pengadaan, R-8.6)."""
