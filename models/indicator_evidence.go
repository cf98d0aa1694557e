package models

import "gorm.io/gorm"

// AddIndicatorEvidence attaches a file (凭据) to the open draft of a village-year's
// value of a village-entered indicator (the village's cadre), within the evidence
// quotas, as for a report.
func AddIndicatorEvidence(db *gorm.DB, a *Actor, dir string, l EvidenceLimits, code, village string, year int, name string, data []byte) (*EvidenceFile, *EvidenceUsage, error) {
	d, v, err := valueTarget(db, a, code, village, year, RoleVillage)
	if err != nil {
		return nil, nil, err
	}
	if d.EnteredBy != EnteredByVillage {
		return nil, nil, ErrForbidden
	}
	open, err := indicatorValues.open(db, valueSeries(d, v, year))
	if err != nil {
		return nil, nil, err
	}
	if open == nil || open.Status != StatusDraft {
		return nil, nil, errNotDraft
	}
	return addEvidence(db, a, dir, l, evidenceTarget{EvidenceIndicator, open.ID, v}, name, data)
}
