package handlers

import (
	"net/http"
	"strconv"
	"time"

	"cunji/models"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gorm.io/gorm"
)

// Metrics are the server's Prometheus metrics, in a registry of its own (no global
// state): served on the separate metrics address, never on the public listener.
// A nil *Metrics counts nothing, so tests may leave it out.
type Metrics struct {
	Registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	durations     *prometheus.HistogramVec
	loginFailures prometheus.Counter
	loginLocked   prometheus.Counter
	approvals     *prometheus.CounterVec
	imports       *prometheus.CounterVec
	unavailable   prometheus.Counter
	drift         *prometheus.GaugeVec
	recounts      *prometheus.CounterVec
	backups       *prometheus.CounterVec
	lastBackup    prometheus.Gauge
}

// NewMetrics builds the registry: the request, login, approval, import, drift and
// backup metrics, the database pool's use, and the Go runtime and process.
func NewMetrics(db *gorm.DB) (*Metrics, error) {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cunji_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status."}, []string{"method", "route", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cunji_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"method", "route", "status"}),
		loginFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "cunji_login_failures_total",
			Help: "Logins refused for a wrong user name or password."}),
		loginLocked: prometheus.NewCounter(prometheus.CounterOpts{Name: "cunji_login_lockouts_total",
			Help: "Logins refused because the account or the address is locked after repeated failures."}),
		approvals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cunji_approvals_total",
			Help: "Versions approved by a street officer, by kind (report, workshop)."}, []string{"kind"}),
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cunji_imports_total",
			Help: "Sheet imports committed (not dry runs), by kind and result (ok, refused)."}, []string{"kind", "result"}),
		unavailable: prometheus.NewCounter(prometheus.CounterOpts{Name: "cunji_db_unavailable_total",
			Help: "Requests answered 503 because the database was away, too slow or out of space."}),
		drift: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "cunji_figures_drift",
			Help: "Maintained rows (current_reports, rollup_cells, indicator_cells) that differ from the last recount; must be 0."}, []string{"table"}),
		recounts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cunji_recounts_total",
			Help: "Periodic recounts of the maintained figures, by result (ok, error)."}, []string{"result"}),
		backups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cunji_backups_total",
			Help: "Scheduled backups, by result (ok, failed)."}, []string{"result"}),
		lastBackup: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cunji_backup_last_success_timestamp_seconds",
			Help: "When the last verified scheduled backup finished (Unix time)."}),
	}
	cs := []prometheus.Collector{m.requests, m.durations, m.loginFailures, m.loginLocked, m.approvals,
		m.imports, m.unavailable, m.drift, m.recounts, m.backups, m.lastBackup,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
	if sqlDB, err := db.DB(); err == nil {
		cs = append(cs, collectors.NewDBStatsCollector(sqlDB, "cunji"))
	}
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			return nil, err
		}
	}
	// Series that exist from the start, so that a dashboard sees 0 rather than nothing.
	m.approvals.WithLabelValues("report")
	m.approvals.WithLabelValues("workshop")
	m.backups.WithLabelValues("ok")
	m.backups.WithLabelValues("failed")
	return m, nil
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

func (m *Metrics) request(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, s).Inc()
	m.durations.WithLabelValues(method, route, s).Observe(d.Seconds())
	if status == http.StatusServiceUnavailable || status == http.StatusInsufficientStorage {
		m.unavailable.Inc()
	}
}

func (m *Metrics) loginFailed(locked bool) {
	if m == nil {
		return
	}
	if locked {
		m.loginLocked.Inc()
	} else {
		m.loginFailures.Inc()
	}
}

func (m *Metrics) approved(kind string, n int) {
	if m != nil && n > 0 {
		m.approvals.WithLabelValues(kind).Add(float64(n))
	}
}

func (m *Metrics) approvedOne(kind string, err error) {
	if err == nil {
		m.approved(kind, 1)
	}
}

func (m *Metrics) imported(kind string, dry bool, err error) {
	if m == nil || dry {
		return
	}
	result := "ok"
	if err != nil {
		result = "refused"
	}
	m.imports.WithLabelValues(kind, result).Inc()
}

// Recounted records a periodic recount: the rows that differ, or its failure.
func (m *Metrics) Recounted(d models.Drift, err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.recounts.WithLabelValues("error").Inc()
		return
	}
	m.recounts.WithLabelValues("ok").Inc()
	m.drift.WithLabelValues("current_reports").Set(float64(d.CurrentReports))
	m.drift.WithLabelValues("rollup_cells").Set(float64(d.RollupCells))
	m.drift.WithLabelValues("register_cells").Set(float64(d.RegisterCells))
	m.drift.WithLabelValues("company_cells").Set(float64(d.CompanyCells))
	m.drift.WithLabelValues("indicator_cells").Set(float64(d.IndicatorCells))
	m.drift.WithLabelValues("totals").Set(float64(d.Totals))
}

// BackedUp records a scheduled backup: verified and kept, or failed.
func (m *Metrics) BackedUp(err error, at time.Time) {
	if m == nil {
		return
	}
	if err != nil {
		m.backups.WithLabelValues("failed").Inc()
		return
	}
	m.backups.WithLabelValues("ok").Inc()
	m.lastBackup.Set(float64(at.Unix()))
}
