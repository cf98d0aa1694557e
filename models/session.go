package models

import (
	"gorm.io/gorm"
)

// SessionUser reads, in one statement, what every signed-in request reads first:
// the account, whose disabled mark and token version are checked on every request
// (so that a disabled account, a changed password or a logout is refused at once),
// and the data revision at that instant (DataRevision), under which the answers a
// read-only request needs may be kept (RollupCache). An unknown id is ErrNotFound.
func SessionUser(db *gorm.DB, id uint) (*User, int64, error) {
	var rows []struct {
		User
		CunjiRevision int64
	}
	err := db.Raw(`SELECT users.*, (SELECT n FROM data_revision WHERE id = 1) AS cunji_revision
		FROM users WHERE users.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		return nil, 0, ErrNotFound
	}
	u := rows[0].User
	return &u, rows[0].CunjiRevision, nil
}
