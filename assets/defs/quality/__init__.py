"""Quality: identity and range checks over the whole warehouse (findings, asset checks, Data Docs)."""
