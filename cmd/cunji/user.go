package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"cunji/models"
)

// user runs `cunji user add|passwd|disable|enable`.
func user(args []string) error {
	if len(args) == 0 {
		return errors.New("user: add, passwd, disable or enable\n" + usage)
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	dbPath := fs.String("db", defaultDB(), "SQLite database file or postgres:// URL")
	username := fs.String("username", "", "username")
	role := fs.String("role", "", "district, street or village")
	scope := fs.String("scope", "", "the district, street or village code")
	name := fs.String("name", "", "the person's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return errors.New("--username is required")
	}
	db, err := openDB(*dbPath)
	if err != nil {
		return err
	}
	// A new deployment's first account comes before the first start: seed the
	// district structure (never demo data) so that its scope exists.
	if err := seedIfEmpty(db, false); err != nil {
		return err
	}
	switch args[0] {
	case "add":
		pw, err := readPassword(os.Stdin)
		if err != nil {
			return err
		}
		u, err := models.CreateUser(db, nil, models.UserInput{Username: *username, Name: *name, Role: *role, Scope: *scope, Password: pw})
		if err != nil {
			return describe(err)
		}
		fmt.Printf("created %s (%s, %s)\n", u.Username, u.Role, *scope)
	case "passwd":
		pw, err := readPassword(os.Stdin)
		if err != nil {
			return err
		}
		if err := models.SetPassword(db, nil, *username, pw); err != nil {
			return describe(err)
		}
		fmt.Printf("password of %s changed; their sessions have ended\n", *username)
	case "disable", "enable":
		if err := models.SetDisabled(db, nil, *username, args[0] == "disable"); err != nil {
			return describe(err)
		}
		fmt.Printf("%sd %s\n", args[0], *username)
	default:
		return fmt.Errorf("user: unknown action %q", args[0])
	}
	return nil
}

// readPassword reads one line from standard input (never from the command line,
// where other users of the machine could see it).
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// describe spells out a validation error field by field.
func describe(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		var b strings.Builder
		for f, m := range ve.Fields {
			fmt.Fprintf(&b, "\n  %s: %s", f, m)
		}
		return errors.New("invalid input:" + b.String())
	}
	return err
}
