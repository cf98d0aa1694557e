package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"cunji/models"
)

// versionJSON is a version as the API gives it (DESIGN §7 "V").
type versionJSON struct {
	Seq           int     `json:"seq"`
	StarRating    int     `json:"star_rating"`
	HemeiBuilt    bool    `json:"hemei_built"`
	BusinessFen   int64   `json:"business_fen"`
	ContractFen   int64   `json:"contract_fen"`
	InvestmentFen int64   `json:"investment_fen"`
	SubsidyFen    int64   `json:"subsidy_fen"`
	OtherFen      int64   `json:"other_fen"`
	AssetsFen     int64   `json:"assets_fen"`
	Note          string  `json:"note"`
	OperatingFen  int64   `json:"operating_fen"`
	TotalFen      int64   `json:"total_fen"`
	Meets50w      bool    `json:"meets_50w"`
	Status        string  `json:"status"`
	Version       int     `json:"version"`
	SubmittedAt   *string `json:"submitted_at"`
	SubmittedBy   string  `json:"submitted_by"`
	ReviewedAt    *string `json:"reviewed_at"`
	Reviewer      *string `json:"reviewer"`
	RejectReason  *string `json:"reject_reason"`
}

func rfc3339(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toVersionJSON(r *models.ReportVersion) *versionJSON {
	if r == nil {
		return nil
	}
	return &versionJSON{
		Seq: r.Seq, StarRating: r.StarRating, HemeiBuilt: r.HemeiBuilt, BusinessFen: r.BusinessFen,
		ContractFen: r.ContractFen, InvestmentFen: r.InvestmentFen, SubsidyFen: r.SubsidyFen, OtherFen: r.OtherFen,
		AssetsFen: r.AssetsFen, Note: r.Note, OperatingFen: r.OperatingFen, TotalFen: r.TotalFen,
		Meets50w: r.Meets50w(), Status: r.Status, Version: r.Version, SubmittedAt: rfc3339(r.SubmittedAt),
		SubmittedBy: r.SubmittedBy, ReviewedAt: rfc3339(r.ReviewedAt), Reviewer: nonEmpty(r.Reviewer),
		RejectReason: nonEmpty(r.RejectReason),
	}
}

func toReportJSON(rep *models.Report) map[string]any {
	hist := make([]*versionJSON, len(rep.History))
	for i := range rep.History {
		hist[i] = toVersionJSON(&rep.History[i])
	}
	return map[string]any{"village_code": rep.Village.Code, "year": rep.Year,
		"approved": toVersionJSON(rep.Approved), "open": toVersionJSON(rep.Open), "history": hist}
}

// decodeObject reads a JSON object into raw fields: 400 when the body is not one.
func decodeObject(body io.Reader, allowEmpty bool) (map[string]json.RawMessage, error) {
	// JSON bodies are small; files come as multipart on their own routes.
	b, err := io.ReadAll(io.LimitReader(body, 1<<20+1))
	if len(b) > 1<<20 {
		return nil, badRequest("请求体超过 1 MB")
	}
	if err != nil {
		return nil, badRequest("无法读取请求体")
	}
	if allowEmpty && len(bytes.TrimSpace(b)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, badRequest("请求体须为 JSON 对象")
	}
	return m, nil
}

// jsonInt parses a JSON integer, refusing fractions, exponents, strings and overflow.
func jsonInt(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// bindReportJSON turns a PUT body into a ReportInput; every unusable value is named
// in a 422, never a 400, so the client knows which field to fix.
func bindReportJSON(m map[string]json.RawMessage) (models.ReportInput, error) {
	var in models.ReportInput
	verr := &models.ValidationError{}
	if raw, ok := m["star_rating"]; ok {
		if n, ok := jsonInt(raw); ok && n >= 0 && n <= 3 {
			v := int(n)
			in.StarRating = &v
		} else {
			verr.Add("star_rating", "星级须为整数 0、1、2 或 3")
		}
	}
	if raw, ok := m["hemei_built"]; ok {
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			in.HemeiBuilt = &b
		} else {
			verr.Add("hemei_built", "须为 true 或 false")
		}
	}
	money := []struct {
		key string
		dst **int64
	}{
		{"business_fen", &in.BusinessFen}, {"contract_fen", &in.ContractFen}, {"investment_fen", &in.InvestmentFen},
		{"subsidy_fen", &in.SubsidyFen}, {"other_fen", &in.OtherFen}, {"assets_fen", &in.AssetsFen},
	}
	for _, f := range money {
		raw, ok := m[f.key]
		if !ok {
			continue
		}
		n, ok := jsonInt(raw)
		if !ok {
			verr.Add(f.key, "金额须为整数（单位：分），且不超过 10^14 分")
			continue
		}
		*f.dst = &n
	}
	if raw, ok := m["note"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			in.Note = &s
		} else {
			verr.Add("note", "说明须为文字")
		}
	}
	v, err := versionField(m)
	if err != nil {
		verr.Add("version", "版本号须为非负整数")
	} else if v != nil {
		in.Version = *v
	}
	return in, verr.Err()
}

// versionField reads an optional "version" field.
func versionField(m map[string]json.RawMessage) (*int, error) {
	raw, ok := m["version"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	n, ok := jsonInt(raw)
	if !ok || n < 0 || n > 1<<31 {
		return nil, models.Invalid("version", "版本号须为非负整数")
	}
	v := int(n)
	return &v, nil
}

// jsonRaw embeds already-encoded JSON.
func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }
