package store

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// BabyStatus is where a family stands with CO.
type BabyStatus string

// Statuses of a baby record.
const (
	StatusEligible  BabyStatus = "eligible"  // born, not yet asked
	StatusEnrolled  BabyStatus = "enrolled"  // chose CO; the planner places these
	StatusDeclined  BabyStatus = "declined"  // chose individual check-ups
	StatusWithdrawn BabyStatus = "withdrawn" // left CO
	StatusLeft      BabyStatus = "left"      // left reception or the country; LeftReason says which
)

// Valid reports whether s is a known status.
func (s BabyStatus) Valid() bool {
	switch s {
	case StatusEligible, StatusEnrolled, StatusDeclined, StatusWithdrawn, StatusLeft:
		return true
	}
	return false
}

// LeftReason is why a family left: a code, never free text.
type LeftReason string

// Reasons for status left.
const (
	LeftStatushouder LeftReason = "statushouder" // housed by a municipality; regular JGZ takes over
	LeftMovedAbroad  LeftReason = "moved_abroad"
	LeftOther        LeftReason = "other"
)

// Valid reports whether r is a known reason.
func (r LeftReason) Valid() bool {
	return r == LeftStatushouder || r == LeftMovedAbroad || r == LeftOther
}

// Baby is the minimum coplan needs to plan a family into a group: a pseudonymous
// reference of the organisation's own choosing, a birth date (or, before birth, a
// due date), where the family lives and the language it speaks. No name, address
// or BSN is stored, of the baby or a parent.
type Baby struct {
	ID             string      `gorm:"primaryKey" json:"id"`
	OrganisationID string      `json:"organisation_id"`
	LocationID     string      `json:"location_id"`
	Ref            string      `json:"ref"`
	BirthDate      *civil.Date `json:"birth_date"`
	ExpectedDate   *civil.Date `json:"expected_date"`
	Language       string      `json:"language"`
	Status         BabyStatus  `json:"status"`
	// LeftReason and LeftOn are set with status left, and only then.
	LeftReason LeftReason  `json:"left_reason,omitempty"`
	LeftOn     *civil.Date `json:"left_on,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Arriving reports whether the record is on its way from another
// organisation: it has no ref here until this organisation accepts the
// handover and gives one.
func (b *Baby) Arriving() bool { return b.Ref == "" }

// Refs are codes, not names: no spaces, so "Jan Jansen" cannot be stored as one.
var refPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)

// Validate checks the fields of b that do not depend on the date.
func (b *Baby) Validate() error {
	var f Fields
	if !refPattern.MatchString(b.Ref) {
		f.Add("ref", "ref", "must be 1 to 64 letters, digits, '.', '_', '/' or '-' (a pseudonymous code, not a name)")
	}
	if b.LocationID == "" {
		f.Add("location_id", "required", "is required")
	}
	if b.Language != "" && !ValidLanguage(b.Language) {
		f.Add("language", "language", "%q is not an ISO 639 language code such as ar, ti or prs", b.Language)
	}
	if !b.Status.Valid() {
		f.Add("status", "choice", "must be eligible, enrolled, declined, withdrawn or left")
	}
	switch {
	case b.Status == StatusLeft && !b.LeftReason.Valid():
		f.Add("left_reason", "left_reason_required", "is required with status left: statushouder, moved_abroad or other")
	case b.Status != StatusLeft && b.LeftReason != "":
		f.Add("left_reason", "left_only", "is only given with status left")
	}
	if b.Status != StatusLeft && b.LeftOn != nil {
		f.Add("left_on", "left_only", "is only given with status left")
	}
	if b.BirthDate == nil && b.ExpectedDate == nil {
		f.Add("birth_date", "birth_or_expected", "is required (or expected_date before birth)")
	}
	return f.Err()
}

// validateDates checks the dates against today; a birth date is checked only when
// it is new, so an old record can still be edited.
func validateBabyDates(b *Baby, old *Baby, today civil.Date) error {
	var f Fields
	if b.BirthDate != nil && (old == nil || old.BirthDate == nil || *old.BirthDate != *b.BirthDate) {
		switch d := *b.BirthDate; {
		case d > today:
			f.Add("birth_date", "date_future", "%s is in the future", d)
		case d < today.AddMonths(-24):
			f.Add("birth_date", "birth_too_old", "%s is more than 2 years ago", d)
		}
	}
	if b.ExpectedDate != nil && b.BirthDate == nil && (old == nil || old.ExpectedDate == nil || *old.ExpectedDate != *b.ExpectedDate) {
		switch d := *b.ExpectedDate; {
		case d > today.AddDays(300):
			f.Add("expected_date", "expected_too_far", "%s is more than 300 days ahead", d)
		case d < today.AddDays(-60):
			f.Add("expected_date", "expected_past", "%s is more than 60 days ago; set the birth date instead", d)
		}
	}
	if b.LeftOn != nil && (old == nil || old.LeftOn == nil || *old.LeftOn != *b.LeftOn) && *b.LeftOn > today {
		f.Add("left_on", "date_future", "%s is in the future; record that a family left when it has", *b.LeftOn)
	}
	return f.Err()
}

// BabyForUpdate loads and locks a baby record a may manage. The caller audits.
func (tx *Tx) BabyForUpdate(a Actor, id string) (*Baby, error) {
	if a.Role != RoleAdmin && a.Role != RoleCoordinator {
		return nil, Errorf(ENotFound, "no baby records for the %s role", a.Role)
	}
	return first[Baby](tx.db.forUpdate(a.scopeOrganisation(tx.g.Where("id = ?", id), "organisation_id")), "baby", id)
}

// Today is the store clock's date in Amsterdam.
func (db *DB) Today() civil.Date { return civil.Today(db.now()) }

// RequireBabyAccess lets only admins and coordinators near baby records; for
// nurses and location staff they do not exist (404), and the attempt is logged.
func (db *DB) RequireBabyAccess(ctx context.Context, a Actor, action, id string) error {
	if a.Role != RoleAdmin && a.Role != RoleCoordinator {
		return db.auditFailure(ctx, a, action, "baby", id, Errorf(ENotFound, "no baby records for the %s role", a.Role))
	}
	return nil
}

// babyLocation loads the location a baby is put at, as a field error when a may not use it.
func (db *DB) babyLocation(tx *gorm.DB, a Actor, field, id string) (*Location, error) {
	l, err := first[Location](a.scopeLocations(tx.Where("id = ?", id), "id", "organisation_id"), "location", id)
	if ErrorCode(err) == ENotFound {
		return nil, &Error{Code: EInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: field, Code: "unknown", Detail: "unknown location " + quote(id)}}}
	}
	return l, err
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// errRefTaken is the answer to a ref the organisation uses already.
func errRefTaken() error {
	return &Error{Code: EConflict, Message: "a baby with this ref already exists in the organisation",
		Fields: []FieldError{{Field: "ref", Code: "taken", Detail: "is already taken"}}}
}

// checkRefFree checks, holding the ref's lock, that no other baby of the
// organisation has ref. Writes of refs take the lock, so a taken ref is found
// here and never reaches PostgreSQL's unique index (whose error the server
// would log, with the ref in it).
func (db *DB) checkRefFree(tx *gorm.DB, organisationID, ref, exceptID string) error {
	if err := db.lockRef(tx, organisationID, ref); err != nil {
		return err
	}
	q := tx.Model(&Baby{}).Where("organisation_id = ? AND ref = ?", organisationID, ref)
	if exceptID != "" {
		q = q.Where("id <> ?", exceptID)
	}
	taken, err := exists(q)
	if err != nil {
		return err
	}
	if taken {
		return errRefTaken()
	}
	return nil
}

// lockRef takes, until the transaction ends, the lock of one ref of an
// organisation, and the organisation's import lock shared (an import holds it
// alone while it writes its refs). SQLite has one writer anyway.
func (db *DB) lockRef(tx *gorm.DB, organisationID, ref string) error {
	if db.dialect != Postgres {
		return nil
	}
	err := tx.Exec("SELECT pg_advisory_xact_lock_shared(7261005, hashtext(?)), pg_advisory_xact_lock(7261004, hashtext(? || ':' || ?))",
		organisationID, organisationID, ref).Error
	return wrapRead(err, "lock the ref")
}

// CreateBaby stores a new baby record at a location a may use.
func (db *DB) CreateBaby(ctx context.Context, a Actor, b *Baby) error {
	if err := db.RequireBabyAccess(ctx, a, ActionCreate, ""); err != nil {
		return err
	}
	err := db.InTx(ctx, func(tx *Tx) error { return tx.CreateBaby(a, b) })
	if err != nil {
		err = db.auditFailure(ctx, a, ActionCreate, "baby", "", err)
	}
	return err
}

// CreateBaby validates and stores a new baby record at a location a may use,
// audited, in tx; a refusal is the caller's to audit (DB.AuditFailure).
func (tx *Tx) CreateBaby(a Actor, b *Baby) error {
	db := tx.db
	if b.Status == "" {
		b.Status = StatusEnrolled
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if err := validateBabyDates(b, nil, db.Today()); err != nil {
		return err
	}
	l, err := db.babyLocation(tx.g, a, "location_id", b.LocationID)
	if err != nil {
		return err
	}
	b.ID = NewID("baby")
	b.OrganisationID = l.OrganisationID
	if err := db.checkRefFree(tx.g, b.OrganisationID, b.Ref, ""); err != nil {
		return err
	}
	res := tx.g.Clauses(clause.OnConflict{DoNothing: true}).Create(b) // the lock makes a conflict impossible; this guard keeps it quiet
	if err := res.Error; err != nil {
		return wrapWrite(err, "baby", "ref")
	}
	if res.RowsAffected == 0 {
		return errRefTaken()
	}
	return db.audit(tx.g, a, b.OrganisationID, ActionCreate, "baby", OutcomeSuccess, "", b.ID)
}

// Baby reads one baby record and logs the read.
func (db *DB) Baby(ctx context.Context, a Actor, id string) (*Baby, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionRead, id); err != nil {
		return nil, err
	}
	var out *Baby
	err := db.tx(ctx, func(tx *gorm.DB) error {
		b, err := first[Baby](a.scopeOrganisation(tx.Where("id = ?", id), "organisation_id"), "baby", id)
		if err != nil {
			return err
		}
		out = b
		return db.audit(tx, a, b.OrganisationID, ActionRead, "baby", OutcomeSuccess, "", id)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionRead, "baby", id, err)
	}
	return out, err
}

// BabyFilter selects baby records; Ref makes the list a search (an exact
// ref, or with RefPrefix every ref that starts with it). BornFrom and BornTo
// select by birth date (inclusive), Expected the pregnancies. Grouped is
// "yes" for the babies in a group now, "no" for those in none; GroupID one
// group's members.
type BabyFilter struct {
	LocationID string
	// LocationIDs narrows to any of these locations (a location and its catchment).
	LocationIDs []string
	Status      BabyStatus
	Ref         string
	RefPrefix   bool
	BornFrom    *civil.Date
	BornTo      *civil.Date
	Expected    bool
	Grouped     string
	GroupID     string
	// Export lists every match (at most MaxExport) and audits it as an export.
	Export bool
	Page
}

// MaxExport bounds one export of baby records.
const MaxExport = 100000

// where narrows q to the filter.
func (f BabyFilter) where(q *gorm.DB) *gorm.DB {
	if f.LocationID != "" {
		q = q.Where("location_id = ?", f.LocationID)
	}
	if len(f.LocationIDs) > 0 {
		q = q.Where("location_id IN ?", f.LocationIDs)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	switch {
	case f.Ref != "" && f.RefPrefix:
		q = q.Where("ref LIKE ? ESCAPE '\\'", likePrefix(f.Ref))
	case f.Ref != "":
		q = q.Where("ref = ?", f.Ref)
	}
	if f.Expected {
		q = q.Where("birth_date IS NULL")
	}
	if f.BornFrom != nil {
		q = q.Where("birth_date >= ?", *f.BornFrom)
	}
	if f.BornTo != nil {
		q = q.Where("birth_date <= ?", *f.BornTo)
	}
	const current = "SELECT baby_id FROM group_members WHERE left_on IS NULL"
	switch {
	case f.GroupID != "":
		q = q.Where("id IN ("+current+" AND group_id = ?)", f.GroupID)
	case f.Grouped == "yes":
		q = q.Where("id IN (" + current + ")")
	case f.Grouped == "no":
		q = q.Where("id NOT IN (" + current + ")")
	}
	return q
}

// likePrefix is s as a LIKE pattern matching what starts with it.
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
	return r.Replace(s) + "%"
}

// Babies lists baby records and logs one row per record returned.
func (db *DB) Babies(ctx context.Context, a Actor, f BabyFilter) ([]Baby, int64, error) {
	action := ActionList
	switch {
	case f.Export:
		action, f.Page = ActionExport, Page{Limit: MaxExport}
	case f.Ref != "":
		action = ActionSearch
	}
	if err := db.RequireBabyAccess(ctx, a, action, ""); err != nil {
		return nil, 0, err
	}
	var (
		items []Baby
		total int64
	)
	err := db.tx(ctx, func(tx *gorm.DB) error {
		// An arriving record shows in the arrivals until it is accepted.
		q := f.where(a.scopeOrganisation(tx.Model(&Baby{}), "organisation_id").Where("ref <> ''"))
		var err error
		items, total, err = page[Baby](q, f.Page, "ref, id", "babies")
		if err != nil {
			return err
		}
		return db.auditRecords(tx, a, action, items)
	})
	return items, total, err
}

// auditRecords logs one row per baby, each under the organisation it belongs to.
func (db *DB) auditRecords(tx *gorm.DB, a Actor, action string, babies []Baby) error {
	if len(babies) == 0 {
		return db.audit(tx, a, a.OrganisationID, action, "baby", OutcomeSuccess, "no records")
	}
	byOrg := map[string][]string{}
	var orgs []string
	for _, b := range babies {
		if _, ok := byOrg[b.OrganisationID]; !ok {
			orgs = append(orgs, b.OrganisationID)
		}
		byOrg[b.OrganisationID] = append(byOrg[b.OrganisationID], b.ID)
	}
	for _, org := range orgs {
		if err := db.audit(tx, a, org, action, "baby", OutcomeSuccess, "", byOrg[org]...); err != nil {
			return err
		}
	}
	return nil
}

// UpdateBaby applies change to a baby record (see Tx.UpdateBaby); a refusal
// is audited.
func (db *DB) UpdateBaby(ctx context.Context, a Actor, id string, change func(*Baby)) (*Baby, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionUpdate, id); err != nil {
		return nil, err
	}
	var out *Baby
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		_, out, err = tx.UpdateBaby(a, id, change)
		return err
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionUpdate, "baby", id, err)
	}
	return out, err
}

// UpdateBaby applies change to a baby record a may manage and audits it; it
// returns the record before and after. The location changes only through
// MoveBaby, so that the relocation history stays complete, and a record
// that is still arriving changes only by accepting its handover. Leaving
// sets LeftOn to today when change gives no date.
func (tx *Tx) UpdateBaby(a Actor, id string, change func(*Baby)) (before, after *Baby, err error) {
	db := tx.db
	old, err := first[Baby](db.forUpdate(a.scopeOrganisation(tx.g.Where("id = ?", id), "organisation_id")), "baby", id)
	if err != nil {
		return nil, nil, err
	}
	if old.Arriving() {
		return nil, nil, &Error{Code: EConflict, Message: "the record is arriving from another organisation; accept the handover first",
			Fields: []FieldError{{Field: "id", Code: "arriving", Detail: "awaits acceptance in the arrivals"}}}
	}
	b := *old
	change(&b)
	b.ID, b.OrganisationID, b.CreatedAt = old.ID, old.OrganisationID, old.CreatedAt
	if b.LocationID != old.LocationID {
		return nil, nil, &Error{Code: EUnprocessable, Message: "a baby's location changes only by recording a move",
			Fields: []FieldError{{Field: "location_id", Code: "move_for_location", Detail: "use POST /api/v1/babies/{id}/moves"}}}
	}
	if b.Status == StatusLeft && b.LeftOn == nil {
		today := db.Today()
		b.LeftOn = &today
	}
	if b.Status != StatusLeft && old.Status == StatusLeft {
		b.LeftReason, b.LeftOn = "", nil // back in CO: the leaving is over
	}
	if err := b.Validate(); err != nil {
		return nil, nil, err
	}
	if err := validateBabyDates(&b, old, db.Today()); err != nil {
		return nil, nil, err
	}
	if err := db.checkRefFree(tx.g, b.OrganisationID, b.Ref, b.ID); err != nil {
		return nil, nil, err
	}
	if err := tx.g.Save(&b).Error; err != nil {
		return nil, nil, wrapWrite(err, "baby", "ref")
	}
	return old, &b, db.audit(tx.g, a, b.OrganisationID, ActionUpdate, "baby", OutcomeSuccess, "changed: "+changedBabyFields(old, &b), id)
}

// changedBabyFields names the changed fields, never their values.
func changedBabyFields(a, b *Baby) string {
	var names []string
	eqDate := func(x, y *civil.Date) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	if a.Ref != b.Ref {
		names = append(names, "ref")
	}
	if !eqDate(a.BirthDate, b.BirthDate) {
		names = append(names, "birth_date")
	}
	if !eqDate(a.ExpectedDate, b.ExpectedDate) {
		names = append(names, "expected_date")
	}
	if a.Language != b.Language {
		names = append(names, "language")
	}
	if a.Status != b.Status {
		names = append(names, "status")
	}
	if a.LeftReason != b.LeftReason || !eqDate(a.LeftOn, b.LeftOn) {
		names = append(names, "left")
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ",")
}

// DeleteBaby removes a baby record and its move history (see Tx.DeleteBaby);
// a refusal is audited.
func (db *DB) DeleteBaby(ctx context.Context, a Actor, id string) error {
	if err := db.RequireBabyAccess(ctx, a, ActionDelete, id); err != nil {
		return err
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		b, err := tx.BabyForUpdate(a, id)
		if err != nil {
			return err
		}
		return tx.DeleteBaby(a, b)
	})
	if err != nil {
		err = db.auditFailure(ctx, a, ActionDelete, "baby", id, err)
	}
	return err
}

// DeleteBaby removes record b with its moves and memberships, clears it from
// handovers, and audits the deletion.
func (tx *Tx) DeleteBaby(a Actor, b *Baby) error {
	if err := deleteBabyData(tx.g, b.ID); err != nil {
		return err
	}
	if err := tx.g.Delete(&Baby{}, "id = ?", b.ID).Error; err != nil {
		return wrapRead(err, "delete baby")
	}
	return tx.db.audit(tx.g, a, b.OrganisationID, ActionDelete, "baby", OutcomeSuccess, "", b.ID)
}

// CapacityBabies lists an organisation's enrolled and eligible babies, born
// or expected, for the capacity forecast; the caller audits the read.
func (tx *Tx) CapacityBabies(organisationID string) ([]Baby, error) {
	var out []Baby
	err := tx.g.Where("organisation_id = ? AND status IN ?", organisationID, []BabyStatus{StatusEnrolled, StatusEligible}).Order("id").Find(&out).Error
	return out, wrapRead(err, "babies")
}

// CountBabies counts the records f selects, reading none of them: a number
// on a start page, not a read of records.
func (db *DB) CountBabies(ctx context.Context, a Actor, f BabyFilter) (int64, error) {
	if a.Role != RoleAdmin && a.Role != RoleCoordinator {
		return 0, nil
	}
	var n int64
	err := f.where(a.scopeOrganisation(db.gorm.WithContext(ctx).Model(&Baby{}), "organisation_id").Where("ref <> ''")).Count(&n).Error
	return n, wrapRead(err, "babies")
}
