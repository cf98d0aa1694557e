// Command cunji is the village-level progress registry: `cunji serve` serves the
// pages and the API, `cunji demo` (or `cunji` alone) the same on invented data;
// further subcommands manage users, imports and backups.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // `cunji demo --help` and the like: the flags were printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cunji:", err)
		os.Exit(1)
	}
}

// run dispatches the subcommand; `cunji` alone runs the demo.
func run(args []string) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help") {
		return demoCmd(args)
	}
	switch args[0] {
	case "serve":
		return serve(args[1:])
	case "demo":
		return demoCmd(args[1:])
	case "user":
		return user(args[1:])
	case "import":
		return importCmd(args[1:])
	case "seed":
		return seedCmd(args[1:])
	case "bench":
		return benchCmd(args[1:])
	case "check":
		return checkCmd(args[1:])
	case "backup":
		return backupCmd(args[1:])
	case "restore":
		return restoreCmd(args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

const usage = `usage:
  cunji [demo] [--addr 127.0.0.1:8080] [--db cunji-demo.db]            (invented data and accounts, password cunji-demo)
  cunji serve [--addr :8080] [--db cunji.db|postgres://…] [--files DIR] [--trust-proxy IP,CIDR,…] [--allow-demo]
              [--log-format text|json] [--metrics-addr 127.0.0.1:9090] [--request-timeout 30s] [--recount-every 10m]
              [--backup-dir DIR --backup-every 24h --backup-keep 14]    (docs/operations.md)
              [--evidence-per-version 20] [--evidence-village-mb 200] [--evidence-total-gb 20]
                                              (never seeds demo data; refuses demo accounts without --allow-demo)
  cunji check [--db cunji.db|postgres://…] [--repair]   (recount the maintained figures; writes only with --repair)
  cunji user add --db FILE --username U --role district|street|village --scope CODE --name NAME   (password on stdin)
  cunji user passwd --db FILE --username U                                                       (password on stdin)
  cunji user disable|enable --db FILE --username U
  cunji import villages --db FILE [--district CODE] [--dry-run] FILE.xlsx|csv
  cunji import reports  --db FILE [--district CODE] [--dry-run] [--approve-reason TEXT] [--unit 元|万元] FILE.xlsx|csv
  cunji seed --synthetic N --seed S --db TARGET                        (an empty database)
  cunji backup  --db FILE --out COPY          (online, consistent, mode 0600; SQLite)
  cunji restore --from COPY --db FILE         (with the server stopped; the copy is checked read-only and
                                              refused unless a cunji database of a known schema, without triggers or views)
  cunji bench rollup --db FILE [--scope CODE] [--year Y]
  cunji bench http   --db FILE [--clients 64] [--seconds 10]
  cunji bench writes --db FILE [--writers 32] [--seconds 10]
`
