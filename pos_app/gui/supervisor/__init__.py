"""The supervisor's dashboard: today's totals with charts, cash variances, audit trail,
refund approvals and exports."""
