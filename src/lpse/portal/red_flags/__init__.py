"""Red flags (R-9.10): integrity indicators computed from the service's own published OCDS
records, for auditors, the LKPP monitor and, in aggregate, the public. A flag is a prompt to look
closer, never proof of wrongdoing. docs/red-flags.md describes each indicator and its source."""
