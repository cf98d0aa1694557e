package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"cunji/handlers"
	"cunji/models"
	"cunji/seeds"
	"cunji/views"

	"gorm.io/gorm"
)

// serverConfig is what `cunji serve` and `cunji demo` start a server with.
type serverConfig struct {
	addr, dbPath, filesDir string
	proxies                []*net.IPNet          // --trust-proxy: the reverse proxies
	demo                   bool                  // cunji demo: seed demo data on an empty database
	allowDemo              bool                  // cunji serve: accept a database holding demo accounts
	ops                    opsConfig             // logs, metrics, deadlines, recount, backups (ops.go)
	evidence               models.EvidenceLimits // the evidence quotas
}

// serve runs `cunji serve`, the production server: it never seeds demo data, and
// refuses a database holding demo accounts unless --allow-demo is given.
func serve(args []string) error {
	c, err := serveConfig(args)
	if err != nil {
		return err
	}
	return runServer(c)
}

func serveConfig(args []string) (serverConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := serverConfig{}
	fs.StringVar(&c.addr, "addr", ":8080", "listen address")
	fs.StringVar(&c.dbPath, "db", defaultDB(), "SQLite database file, or a postgres:// URL (default: $CUNJI_DATABASE_URL, else cunji.db)")
	fs.BoolVar(&c.allowDemo, "allow-demo", false, "serve a database that holds demo accounts (public password)")
	trustProxy := fs.String("trust-proxy", "", "comma-separated addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto count (e.g. 10.0.0.1,10.0.0.0/8)")
	fs.StringVar(&c.filesDir, "files", "", "folder of the evidence files (default: <db>.files beside a SQLite file, ./cunji-files for PostgreSQL); several instances must share it")
	fs.Bool("demo", false, "removed: run `cunji demo` for the demo")
	opsFlags(fs, &c.ops, "127.0.0.1:9090")
	fs.IntVar(&c.evidence.PerVersion, "evidence-per-version", models.DefaultEvidencePerVersion, "evidence quota: files per report or workshop version")
	villageMB := fs.Int64("evidence-village-mb", models.DefaultEvidenceVillageBytes>>20, "evidence quota: megabytes per village")
	totalGB := fs.Int64("evidence-total-gb", models.DefaultEvidenceTotalBytes>>30, "evidence quota: gigabytes in all (give every instance the same quotas)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.evidence.PerVersion < 1 || *villageMB < 1 || *totalGB < 1 {
		return c, errors.New("serve: the evidence quotas must be at least 1")
	}
	c.evidence.VillageBytes, c.evidence.TotalBytes = *villageMB<<20, *totalGB<<30
	if fs.NArg() > 0 {
		return c, fmt.Errorf("serve: unexpected %q\n%s", fs.Arg(0), usage)
	}
	var err error
	if c.proxies, err = handlers.ParseTrustedProxies(*trustProxy); err != nil {
		return c, err
	}
	return c, refuseDemoFlag(fs)
}

// runServer wires config → database → migrations → seeds → Echo → serve.
func runServer(c serverConfig) error {
	logger, err := c.ops.setupLog()
	if err != nil {
		return err
	}
	if !models.IsPostgres(c.dbPath) {
		release, err := lockDB(c.dbPath)
		if err != nil {
			return err
		}
		defer release()
	}
	db, err := openDB(c.dbPath)
	if err != nil {
		return err
	}
	if err := seedIfEmpty(db, c.demo); err != nil {
		return err
	}
	if err := checkAccounts(db, c); err != nil {
		return err
	}
	secret, err := jwtSecret(db, c.dbPath)
	if err != nil {
		return err
	}
	v, err := views.Load()
	if err != nil {
		return err
	}
	if c.filesDir == "" {
		c.filesDir = c.dbPath + ".files"
		if models.IsPostgres(c.dbPath) {
			c.filesDir = "cunji-files"
		}
	}
	h := &handlers.Handler{DB: db, Secret: secret, Views: v, TrustedProxies: c.proxies, FilesDir: c.filesDir,
		EvidenceLimits: c.evidence}
	if n, err := h.ExpireStagedImports(time.Now()); err != nil {
		return err
	} else if n > 0 {
		log.Printf("removed %d expired import files", n)
	}
	stopOps, err := c.ops.start(db, c.dbPath, h, logger)
	if err != nil {
		return err
	}
	defer stopOps()
	e := h.Echo()
	srv := &http.Server{Addr: c.addr, Handler: e, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() {
		log.Printf("cunji serving on %s (database %s)", c.addr, redact(c.dbPath))
		errc <- srv.ListenAndServe()
	}()
	// On SIGTERM or SIGINT: stop accepting, let in-flight requests finish.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-errc:
		return err
	case s := <-sig:
		log.Printf("received %s, shutting down", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		_ = sqlDB.Close()
	}
	return nil
}

// seedIfEmpty seeds the district structure and targets, and demo data on request,
// when the database holds no district yet; a database in service gets the plan's
// indicators it lacks (seeds.AddPlanIndicators), so that one made by an earlier
// version has them too.
func seedIfEmpty(db *gorm.DB, demo bool) error {
	return models.WithLock(db, func(db *gorm.DB) error { return seedEmpty(db, demo) })
}

func seedEmpty(db *gorm.DB, demo bool) error {
	empty, err := seeds.IsEmpty(db)
	if err != nil {
		return err
	}
	if !empty {
		n, err := seeds.AddPlanIndicators(db)
		if n > 0 {
			log.Printf("added the plan's %d indicators to the catalogue (marked as the plan's, without values)", n)
		}
		return err
	}
	if err := seeds.Structure(db); err != nil {
		return err
	}
	if _, err := seeds.SeedPlanIndicators(db); err != nil {
		return err
	}
	if demo {
		log.Printf("seeding demo data (invented villages and accounts)")
		if err := seeds.Demo(db, time.Now().UTC()); err != nil {
			return err
		}
	}
	return nil
}

// defaultDB is $CUNJI_DATABASE_URL, else cunji.db beside the working directory.
func defaultDB() string {
	if u := os.Getenv("CUNJI_DATABASE_URL"); u != "" {
		return u
	}
	return "cunji.db"
}

// redact hides a password in a database URL for the log.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

// jwtSecret is CUNJI_JWT_SECRET, or a secret generated once and kept: beside a
// SQLite file with mode 0600, or in a PostgreSQL database's settings, where every
// instance of a deployment finds the same one.
func jwtSecret(db *gorm.DB, dbPath string) ([]byte, error) {
	if s := os.Getenv("CUNJI_JWT_SECRET"); s != "" {
		if len(s) < 32 {
			return nil, errors.New("CUNJI_JWT_SECRET must be at least 32 characters")
		}
		return []byte(s), nil
	}
	if models.IsPostgres(dbPath) {
		return models.SharedSecret(db)
	}
	path := dbPath + ".jwt-secret"
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) >= 32 {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("%s is too short; delete it to generate a new secret", path)
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(b)
	if err := privateDir(path); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return nil, err
	}
	return []byte(s), nil
}
