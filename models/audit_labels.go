package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
)

// AuditActions names every action code of the audit log in Chinese. It is the one
// table of action codes: the audit page, its filter and its export read it.
var AuditActions = []struct{ Code, Label string }{
	{"report.create", "新建填报"},
	{"report.edit", "修改填报"},
	{"report.submit", "提交填报"},
	{"report.withdraw", "撤回填报"},
	{"report.approve", "审核通过"},
	{"report.reject", "审核退回"},
	{"report.file", "上传填报凭据"},
	{"import.reports.submit", "导入填报（待审核）"},
	{"import.reports.approve", "导入填报（直接通过）"},
	{"import.villages", "导入村名册"},
	{"import.mapping", "保存导入列对应"},
	{"village.create", "新增村"},
	{"village.update", "修改村信息"},
	{"workshop.create", "新增共富工坊"},
	{"workshop.edit", "修改共富工坊"},
	{"workshop.submit", "提交共富工坊"},
	{"workshop.approve", "共富工坊审核通过"},
	{"workshop.reject", "共富工坊审核退回"},
	{"workshop.star", "评定工坊星级"},
	{"workshop.enter", "街道登记共富工坊"},
	{"workshop.file", "上传工坊凭据"},
	{"company.create", "新增强村公司"},
	{"company.update", "修改强村公司"},
	{"company.members", "修改股东村"},
	{"company.shareholders", "修改其他股东"},
	{"company.year", "填报公司年度经营"},
	{"company.dissolved", "强村公司注销"},
	{"company.restored", "强村公司恢复存续"},
	{"indicator.define", "定义指标"},
	{"indicator.change", "修改指标定义"},
	{"indicator_value.create", "新建指标填报"},
	{"indicator_value.edit", "修改指标填报"},
	{"indicator_value.submit", "提交指标填报"},
	{"indicator_value.withdraw", "撤回指标填报"},
	{"indicator_value.approve", "指标填报审核通过"},
	{"indicator_value.reject", "指标填报审核退回"},
	{"indicator_value.enter", "录入指标值（即时生效）"},
	{"ind_value.file", "上传指标凭据"},
	{"indicator_value.import", "导入指标值（即时生效）"},
	{"title.name", "命名称号"},
	{"title.revoke", "撤销称号"},
	{"year.close", "关闭年度"},
	{"bulletin.issue", "印发通报"},
	{"target.set", "设定目标"},
	{"window.set", "设定填报期"},
	{"window.exception", "单村延期"},
	{"setting.last_year", "开放新年度"},
	{"setting.yellow_band", "设定预警区间"},
	{"setting.weak_line", "设定薄弱村线"},
	{"setting.strong_line", "设定强村线"},
	{"setting.flag_change_bp", "设定审核提示：变动百分比"},
	{"setting.flag_change_fen", "设定审核提示：变动金额"},
	{"setting.flag_median_k100", "设定审核提示：中位数倍数"},
	{"user.create", "新建账号"},
	{"user.disable", "停用/启用账号"},
	{"user.reset", "重置密码"},
	{"user.password", "修改密码"},
	{"seed.structure", "初始化区划"},
	{"seed.demo", "载入演示数据"},
	{"seed.indicators", "载入实施方案指标"},
}

// auditFields names the fields of the audit log's before and after in Chinese, by
// their snake_case key (Go field names are converted first). A key ending in _fen
// is an amount in 分, shown in 万元.
var auditFields = map[string]string{
	"id": "编号", "seq": "序号", "status": "状态", "version": "版本", "year": "年度", "note": "说明", "flags": "审核提示",
	"star_rating": "星级美丽乡村", "hemei_built": "和美乡村已建成",
	"business_fen": "经营收入", "contract_fen": "发包及上交收入", "investment_fen": "投资收益",
	"subsidy_fen": "补助收入", "other_fen": "其他收入", "assets_fen": "村集体资产总额",
	"operating_fen": "经营性收入", "total_fen": "总收入", "reject_reason": "退回理由", "reason": "理由",
	"code": "代码", "name": "名称", "street_code": "街道/镇", "village_code": "村", "district_code": "区",
	"type": "类型", "active_from": "起始年度", "active_until": "终止年度",
	"username": "用户名", "role": "角色", "disabled": "已停用", "password": "密码", "phone": "手机",
	"submitted_at": "提交时间", "submitted_by": "提交人", "reviewed_at": "审核时间", "reviewer": "审核人",
	"reviewer_id": "审核人编号", "created_by_id": "创建人编号", "created_at": "创建时间", "updated_at": "修改时间",
	"file": "文件", "size": "大小（字节）", "sha256": "SHA-256",
	"credit_code": "统一社会信用代码", "model": "模式", "owner": "出资方", "partner": "合作方",
	"founded_on": "成立日期", "dissolved_at": "注销时间", "registered_capital_fen": "注册资本",
	"revenue_fen": "营业收入", "profit_fen": "利润", "dividends": "分红", "dividend_fen": "分红",
	"members": "股东村", "share_micro": "持股比例", "from_year": "起始年度", "until_year": "终止年度",
	"employed": "吸纳就业", "low_income_employed": "其中低收入农户", "avg_income_increase_fen": "人均增收",
	"star_level": "星级", "star_evaluated_on": "评定日期", "star_set_by": "评定人", "state": "状态",
	"scope_code": "范围", "indicator": "指标", "value": "值", "recorded_at": "记录时间",
	"opens": "开始", "closes": "截止", "until": "延期至", "yellow_band": "黄色区间（百分点）",
	"rows": "行数", "count": "条数", "mode": "方式",
	"title": "称号", "level": "等级", "document_no": "文号", "issuer": "发文机关", "as_of": "数据截至", "on": "日期", "kind": "类别", "migrated": "迁移而来",
	"recorded_by": "记录人", "revokes_id": "撤销的命名", "company_id": "公司", "closed_at": "关闭时间", "closed_by": "关闭人",
	"built_on": "建成日期", "closed_on": "停运日期",
	"unit": "单位", "entered_by": "填报方", "rollup": "汇总方式", "plan": "规划指标", "wording": "说明",
	"indicator_id": "指标编号", "valid_from": "生效时间", "valid_to": "失效时间",
	"header": "表头", "fields": "各列对应",
}

// ActionLabel is the Chinese name of an audit action, or the code if it has none.
func ActionLabel(code string) string {
	for _, a := range AuditActions {
		if a.Code == code {
			return a.Label
		}
	}
	return code
}

// FieldLabel is the Chinese label of an audited field key ("a.b" names b inside a).
func FieldLabel(key string) string {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if l, ok := auditFields[snake(p)]; ok {
			parts[i] = l
		}
	}
	return strings.Join(parts, " · ")
}

// AuditChange is one field of an audit entry, before and after, as people read it.
type AuditChange struct{ Field, Before, After string }

// Changes lists the fields an entry changed (every field of a creation), labelled
// in Chinese, amounts in 万元, ordered by label.
func (e *AuditEntry) Changes() []AuditChange {
	before, after := flatAudit(e.Before), flatAudit(e.After)
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []AuditChange
	for k := range keys {
		b, a := auditValue(k, before[k]), auditValue(k, after[k])
		if b == a {
			continue
		}
		out = append(out, AuditChange{FieldLabel(k), b, a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatAudit decodes an audit JSON value into dotted keys, one level of nesting deep
// (deeper values stay JSON); a value that is not an object is the field "value".
func flatAudit(s string) map[string]any {
	if s == "" {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return map[string]any{"value": s}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return map[string]any{"value": v}
	}
	out := map[string]any{}
	for k, x := range m {
		if inner, ok := x.(map[string]any); ok {
			for ik, iv := range inner {
				out[k+"."+ik] = iv
			}
			continue
		}
		out[k] = x
	}
	return out
}

// auditValue formats one audited value: 分 as 万元, yes/no, states and roles in
// Chinese, instants in Beijing time, nothing as "—".
func auditValue(key string, v any) string {
	last := snake(key[strings.LastIndex(key, ".")+1:])
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return "是"
		}
		return "否"
	case json.Number:
		if strings.HasSuffix(last, "_fen") {
			if n, err := x.Int64(); err == nil {
				return FormatMoney(n)
			}
		}
		return x.String()
	case string:
		switch last {
		case "status":
			if l, ok := statusNames[x]; ok {
				return l
			}
		case "role":
			if l, ok := roleNames[x]; ok {
				return l
			}
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.In(Shanghai).Format("2006-01-02 15:04")
		}
		if x == "" {
			return "—"
		}
		return x
	}
	// A submission's flags: their words, one after another.
	if arr, ok := v.([]any); ok && last == "flags" {
		var words []string
		for _, f := range arr {
			if m, ok := f.(map[string]any); ok {
				words = append(words, fmt.Sprint(m["message"]))
			}
		}
		return strings.Join(words, "；")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(buf.String())
}

// statusNames and roleNames are the Chinese names of workflow states and roles.
var (
	statusNames = map[string]string{StatusDraft: "草稿", StatusSubmitted: "待审核", StatusApproved: "已通过", StatusRejected: "已退回"}
	roleNames   = map[string]string{RoleVillage: "村干部", RoleStreet: "街道/镇审核员", RoleDistrict: "区级", "system": "系统"}
)

// StatusName is the Chinese name of a workflow state ("" for an unknown one).
func StatusName(s string) string { return statusNames[s] }

// RoleName is the Chinese name of a role, or the role itself.
func RoleName(r string) string {
	if l, ok := roleNames[r]; ok {
		return l
	}
	return r
}

// snake turns a Go field name (StarLevel) into its snake_case key (star_level).
func snake(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// objectNames are the Chinese names of the kinds of audited objects.
var objectNames = map[string]string{"report": "填报", "workshop": "共富工坊", "company": "强村公司", "user": "账号",
	"village": "村", "target": "目标", "window": "填报期", "setting": "设置", "district": "全区",
	"title": "称号", "year": "年度", "indicator": "指标", "indicator_value": "指标填报", "ind_value": "指标填报"}

// ObjectLabel is the Chinese name of a kind of audited object, or the kind itself.
func ObjectLabel(kind string) string {
	if l, ok := objectNames[kind]; ok {
		return l
	}
	return kind
}
