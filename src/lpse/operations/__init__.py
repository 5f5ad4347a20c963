"""Operations (SPEC 5, R-5.1–R-5.5, R-2.3): samples of the hosts and the service, thresholds and
alerts, planned maintenance, health and Prometheus endpoints, LKPP's read-only monitor."""
