package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"cunji/handlers"
	"cunji/models"

	"gorm.io/gorm"
)

// opsConfig is what an operator sets for running the server for years: logs,
// metrics, request deadlines, the recount of the maintained figures and backups.
type opsConfig struct {
	logFormat      string
	metricsAddr    string
	requestTimeout time.Duration
	recountEvery   time.Duration
	backupDir      string
	backupEvery    time.Duration
	backupKeep     int
}

// opsFlags declares the operator's flags on a server command (serve; demo, whose
// metrics are off unless asked for).
func opsFlags(fs *flag.FlagSet, o *opsConfig, metricsAddr string) {
	fs.StringVar(&o.logFormat, "log-format", "text", "log lines as text or json")
	fs.StringVar(&o.metricsAddr, "metrics-addr", metricsAddr, "address of the Prometheus metrics (/metrics), apart from the public one; empty: none")
	fs.DurationVar(&o.requestTimeout, "request-timeout", handlers.DefaultRequestTimeout, "longest a request may take before it answers 503")
	fs.DurationVar(&o.recountEvery, "recount-every", 10*time.Minute, "how often the maintained figures are compared with a recount (metric cunji_figures_drift)")
	fs.StringVar(&o.backupDir, "backup-dir", "", "folder of the scheduled backups (SQLite); empty: none")
	fs.DurationVar(&o.backupEvery, "backup-every", 24*time.Hour, "time between scheduled backups")
	fs.IntVar(&o.backupKeep, "backup-keep", 14, "how many verified backups to keep")
}

// setupLog makes the process's logger (the log package's lines go through it too).
func (o *opsConfig) setupLog() (*slog.Logger, error) {
	var hd slog.Handler
	switch o.logFormat {
	case "text", "":
		hd = slog.NewTextHandler(os.Stderr, nil)
	case "json":
		hd = slog.NewJSONHandler(os.Stderr, nil)
	default:
		return nil, fmt.Errorf("--log-format must be text or json, not %q", o.logFormat)
	}
	l := slog.New(hd)
	slog.SetDefault(l)
	return l, nil
}

// start equips the handler with the logger, the metrics and the deadline, and
// starts the metrics listener, the periodic recount and the scheduled backups. The
// returned function stops them.
func (o *opsConfig) start(db *gorm.DB, dbPath string, h *handlers.Handler, log *slog.Logger) (func(), error) {
	if o.backupDir != "" && models.IsPostgres(dbPath) {
		return nil, errors.New("--backup-dir is for SQLite; back up PostgreSQL with pg_dump or WAL archiving (docs/operations.md)")
	}
	if o.backupDir != "" && (o.backupEvery <= 0 || o.backupKeep < 1) {
		return nil, errors.New("--backup-every must be positive and --backup-keep at least 1")
	}
	m, err := handlers.NewMetrics(db)
	if err != nil {
		return nil, err
	}
	h.Metrics, h.Log, h.RequestTimeout = m, log, o.requestTimeout
	ctx, cancel := context.WithCancel(context.Background())
	var srv *http.Server
	if o.metricsAddr != "" {
		ln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("metrics: %w (choose another --metrics-addr, or --metrics-addr '' for none)", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		log.Info("metrics serving", "addr", ln.Addr().String(), "path", "/metrics")
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener stopped", "error", err.Error())
			}
		}()
	}
	if o.recountEvery > 0 {
		go every(ctx, o.recountEvery, func() { recount(ctx, db, m, log) })
	}
	if !models.IsPostgres(dbPath) {
		// SQLite's statistics, refreshed at every start, go stale while a server
		// runs for weeks; SQLite advises PRAGMA optimize every few hours for
		// long-lived connections (milliseconds when nothing grew much; the run at
		// start, just after Open's, finds nothing to do).
		go every(ctx, 6*time.Hour, func() {
			if err := models.Analyze(db.WithContext(ctx), false); err != nil && ctx.Err() == nil {
				log.Warn("could not refresh the query planner's statistics", "error", err.Error())
			}
		})
	}
	if o.backupDir != "" {
		b := &backupSchedule{db: db, dir: o.backupDir, keep: o.backupKeep, metrics: m, log: log}
		if err := os.MkdirAll(o.backupDir, 0o700); err != nil {
			cancel()
			return nil, err
		}
		log.Info("scheduled backups", "dir", o.backupDir, "every", o.backupEvery.String(), "keep", o.backupKeep)
		go every(ctx, o.backupEvery, func() { b.run(ctx) })
	}
	return func() {
		cancel()
		if srv != nil {
			_ = srv.Close()
		}
	}, nil
}

// every runs fn at once and then every d until ctx ends.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recount compares the maintained figures with a recount and publishes the drift.
func recount(ctx context.Context, db *gorm.DB, m *handlers.Metrics, log *slog.Logger) {
	d, err := models.MeasureDrift(db.WithContext(ctx))
	m.Recounted(d, err)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("recount failed", "error", err.Error())
	case d != (models.Drift{}):
		log.Error("maintained figures differ from the recount", "current_reports", d.CurrentReports, "rollup_cells", d.RollupCells,
			"register_cells", d.RegisterCells, "company_cells", d.CompanyCells, "indicator_cells", d.IndicatorCells, "totals", d.Totals)
	}
}
