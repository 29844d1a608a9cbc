package storage

import (
	"errors"
	"strings"
)

// secretsOf returns the password a connection string carries, in both forms
// lib/pq reads (postgres://user:PASSWORD@host/db and password=PASSWORD), as
// written and as URL-escaped, so an error quoting the string can be cleaned.
func secretsOf(dsn string) []string {
	var out []string
	if _, rest, ok := strings.Cut(dsn, "://"); ok {
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			if _, pw, ok := strings.Cut(rest[:i], ":"); ok && pw != "" {
				out = append(out, pw)
			}
		}
	}
	for _, f := range strings.Fields(dsn) {
		if k, v, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") && v != "" {
			out = append(out, strings.Trim(v, "'"))
		}
	}
	if i := strings.Index(dsn, "password="); i >= 0 && strings.Contains(dsn, "://") {
		v := dsn[i+len("password="):]
		if j := strings.IndexAny(v, "&# "); j >= 0 {
			v = v[:j]
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// redactDSN returns err with every password of dsn replaced by "xxxxx": the
// URL parser and the driver quote the connection string in their errors, and
// startup errors are printed.
func redactDSN(err error, dsn string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secretsOf(dsn) {
		if strings.Contains(msg, s) {
			msg, changed = strings.ReplaceAll(msg, s, "xxxxx"), true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
