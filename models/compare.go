package models

// Amount is one money figure of a report, entered or derived, in the order the
// pages show them.
type Amount struct {
	Key   string // the API field
	Label string
	Of    func(r *ReportVersion) int64
}

// Amounts are a report's money figures: the six entered and the two derived ones.
var Amounts = []Amount{
	{"business_fen", "经营收入", func(r *ReportVersion) int64 { return r.BusinessFen }},
	{"contract_fen", "发包及上交收入", func(r *ReportVersion) int64 { return r.ContractFen }},
	{"investment_fen", "投资收益", func(r *ReportVersion) int64 { return r.InvestmentFen }},
	{"subsidy_fen", "补助收入", func(r *ReportVersion) int64 { return r.SubsidyFen }},
	{"other_fen", "其他收入", func(r *ReportVersion) int64 { return r.OtherFen }},
	{"operating_fen", "经营性收入", func(r *ReportVersion) int64 { return r.OperatingFen }},
	{"total_fen", "总收入", func(r *ReportVersion) int64 { return r.TotalFen }},
	{"assets_fen", "集体资产", func(r *ReportVersion) int64 { return r.AssetsFen }},
}

// Change is one amount of a version against a base version (last year's approved
// figures, or a rejected version): the base, the difference and the rate.
type Change struct {
	Amount
	Cur, Base int64
	// HasBase is false when there is nothing to compare with.
	HasBase bool
	Delta   int64
	// Rate is Delta over the base's size; undefined without a base or when it is 0.
	Rate Ratio
}

// Compare compares every amount of cur with base (nil: no base). A nil cur gives
// nil.
func Compare(cur, base *ReportVersion) []Change {
	if cur == nil {
		return nil
	}
	out := make([]Change, len(Amounts))
	for i, a := range Amounts {
		c := Change{Amount: a, Cur: a.Of(cur)}
		if base != nil {
			c.HasBase, c.Base = true, a.Of(base)
			c.Delta = c.Cur - c.Base
			den := c.Base
			if den < 0 {
				den = -den
			}
			c.Rate = frac(c.Delta, den)
		}
		out[i] = c
	}
	return out
}
