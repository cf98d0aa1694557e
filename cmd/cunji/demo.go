package main

import (
	"errors"
	"flag"
	"fmt"
	"log"

	"cunji/models"
	"cunji/seeds"

	"gorm.io/gorm"
)

// demoDB is the demo's own database file: never the production one.
const demoDB = "cunji-demo.db"

// demoCmd runs `cunji demo` (and `cunji` alone): the server on its own file, seeded
// with invented villages, figures and accounts, listening on the loopback.
func demoCmd(args []string) error {
	c, err := demoConfig(args)
	if err != nil {
		return err
	}
	return runServer(c)
}

func demoConfig(args []string) (serverConfig, error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	c := serverConfig{demo: true}
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&c.dbPath, "db", demoDB, "the demo's database (SQLite file or postgres:// URL)")
	fs.StringVar(&c.filesDir, "files", "", "folder of the evidence files (default: <db>.files)")
	opsFlags(fs, &c.ops, "")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("demo: unexpected %q\n%s", fs.Arg(0), usage)
	}
	return c, nil
}

// refuseDemoFlag explains the removed `serve --demo`.
func refuseDemoFlag(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "demo" {
			err = errors.New("serve: --demo is gone: `cunji serve` never seeds demo data; run `cunji demo` for the demo (its own file, cunji-demo.db)")
		}
	})
	return err
}

// checkAccounts applies the demo policy once the database is seeded: the demo says
// how to sign in; serve refuses demo accounts unless allowed, and on a database
// without accounts says how to create the first one.
func checkAccounts(db *gorm.DB, c serverConfig) error {
	n, err := models.CountDemoUsers(db)
	if err != nil {
		return err
	}
	switch {
	case c.demo:
		if n > 0 {
			log.Printf("demo: %d invented accounts (district, street-<code>, village-<code>), password %q; do not enter real data here", n, seeds.DemoPassword)
		}
	case n > 0 && !c.allowDemo:
		return fmt.Errorf("serve: %s holds %d demo accounts with the public password %q; "+
			"run `cunji demo --db %s` to show the demo, or start serve with --allow-demo to serve it anyway",
			redact(c.dbPath), n, seeds.DemoPassword, redact(c.dbPath))
	case n > 0:
		log.Printf("WARNING: %d demo accounts exist (password %q), served because of --allow-demo. Do not use this database for real data.", n, seeds.DemoPassword)
	default:
		var users int64
		if err := db.Model(&models.User{}).Count(&users).Error; err != nil {
			return err
		}
		if users == 0 {
			var d models.District
			code := seeds.DistrictCode
			if db.Order("code").Take(&d).Error == nil {
				code = d.Code
			}
			log.Printf("no accounts yet: create the first one with\n  cunji user add --db %s --username admin --role district --scope %s --name 管理员\n(it reads the password from standard input)", redact(c.dbPath), code)
		}
	}
	return nil
}
