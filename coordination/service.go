// Package coordination is coplan's use-case layer: the operations that combine
// storage, the planner and notification, as a coordinator, a nurse or COA
// staff would name them. A planning run, a change of a session, a room block
// or an absence with the re-plan it triggers, the conflicts report, the
// capacity forecast and the notices to facilitators each run here in one store
// transaction, with the planner called on typed input built from the stored
// records. It sits above store and planner: store keeps persistence, tenancy
// and the audit log and plans nothing; planner is pure and stores nothing; the
// API and the command line reach planning only through this package.
package coordination

import (
	"github.com/coplan/coplan/store"
)

// Service runs the use cases on one store.
type Service struct {
	db      *store.DB
	baseURL string // where people open coplan, for links in mails; may be empty
}

// New returns the use cases on db.
func New(db *store.DB) *Service { return &Service{db: db} }

// WithBaseURL sets the address mails link to (COPLAN_BASE_URL).
func (s *Service) WithBaseURL(url string) *Service {
	s.baseURL = url
	return s
}

// DB is the store the service works on, for plain reads and writes that need
// no planning.
func (s *Service) DB() *store.DB { return s.db }
