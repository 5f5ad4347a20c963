"""Every write of the non-tender app (DESIGN rule 1): hand-over, ceilings, invitations, the
negotiation and the award."""
