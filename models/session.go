package models

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// SessionUser reads, in one statement, what every signed-in request reads first:
// the account, whose disabled mark and token version are checked on every request
// (so that a disabled account, a changed password or a logout is refused at once),
// and the data revision at that instant (DataRevision), under which the answers a
// read-only request needs may be kept (RollupCache). An unknown id is ErrNotFound.
//
// It runs on every request, so it costs as little as it can: a prepared statement,
// and the row scanned straight into the account's fields (every column GORM maps,
// so a column added to User is read here too), not through GORM's scanning.
func SessionUser(db *gorm.DB, id uint) (*User, int64, error) {
	q, err := sessionQueryOf(db)
	if err != nil {
		return nil, 0, err
	}
	var u User
	var rev sql.NullInt64
	rv := reflect.ValueOf(&u).Elem()
	ctx := db.Statement.Context
	if ctx == nil {
		ctx = context.Background()
	}
	dest := make([]any, 0, len(q.fields)+1)
	for _, f := range q.fields {
		dest = append(dest, fieldScanner{ctx, f, rv})
	}
	dest = append(dest, &rev)
	err = db.Session(&gorm.Session{PrepareStmt: true}).Raw(q.sql, id).Row().Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	return &u, rev.Int64, nil
}

// sessionQuery is SessionUser's statement and the fields its columns fill, made
// once from GORM's schema of User.
type sessionQuery struct {
	sql    string
	fields []*schema.Field
}

var sessionQueryOnce struct {
	sync.Once
	q   *sessionQuery
	err error
}

func sessionQueryOf(db *gorm.DB) (*sessionQuery, error) {
	sessionQueryOnce.Do(func() {
		s, err := schema.Parse(&User{}, &sync.Map{}, db.NamingStrategy)
		if err != nil {
			sessionQueryOnce.err = err
			return
		}
		q := &sessionQuery{}
		var cols []string
		for _, f := range s.Fields {
			if f.DBName != "" && f.Readable {
				cols = append(cols, "users."+f.DBName)
				q.fields = append(q.fields, f)
			}
		}
		q.sql = "SELECT " + strings.Join(cols, ", ") +
			", (SELECT n FROM data_revision WHERE id = 1) AS cunji_revision FROM users WHERE users.id = ?"
		sessionQueryOnce.q = q
	})
	return sessionQueryOnce.q, sessionQueryOnce.err
}

// fieldScanner scans one column into its field as GORM would (its conversions, a
// NULL leaving the zero value).
type fieldScanner struct {
	ctx context.Context
	f   *schema.Field
	rv  reflect.Value
}

func (s fieldScanner) Scan(src any) error { return s.f.Set(s.ctx, s.rv, src) }
