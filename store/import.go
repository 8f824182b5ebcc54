package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"github.com/coplan/coplan/messages"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// ImportOptions are how an import treats its rows.
type ImportOptions struct {
	// Update makes a row whose ref the organisation knows an update of that
	// record (dates, language, status) instead of a refusal. Its location
	// changes only by a move, so a different location is a problem.
	Update bool
	// Progress, when set, is called as rows are written.
	Progress func(done, total int)
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// PreviewImport reads a file and says what importing it would do, with every
// problem of every row at once (the file's form and the store's checks
// together, by line); it writes nothing.
func (db *DB) PreviewImport(ctx context.Context, a Actor, r io.Reader, opt ImportOptions) (*ImportPlan, []RowError, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionCreate, ""); err != nil {
		return nil, nil, err
	}
	rows, problems, err := parseImportFile(r)
	if err != nil {
		return nil, nil, err
	}
	sc, err := db.importScope(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	return db.previewRows(sc, rows, problems, opt)
}

// previewRows checks parsed rows and adds their problems to the file's.
func (db *DB) previewRows(sc *importScope, rows []ImportRow, problems []RowError, opt ImportOptions) (*ImportPlan, []RowError, error) {
	plan, more := db.checkImport(sc, rows, opt)
	problems = append(problems, more...)
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return plan, problems, nil
}

// parseImportFile reads the rows of a file; a file that is not CSV at all
// is one problem of the body.
func parseImportFile(r io.Reader) ([]ImportRow, []RowError, error) {
	rows, problems, err := ParseImport(r)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, nil, err
	}
	if err != nil {
		return nil, nil, Field("body", "csv", "could not be read as CSV")
	}
	return rows, problems, nil
}

// ImportFile imports a file all or nothing (see PreviewImport and
// ImportBabies). On PostgreSQL a file of new records only is checked row by
// row while COPY writes the rows before it: the database's work and the
// checking overlap, and the first problem rolls the transaction back (the
// rest of the file is still checked, so that every problem is reported).
func (db *DB) ImportFile(ctx context.Context, a Actor, r io.Reader, opt ImportOptions) (ImportResult, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionCreate, ""); err != nil {
		return ImportResult{}, err
	}
	rows, problems, err := parseImportFile(r)
	if err != nil {
		return ImportResult{}, err
	}
	sc, err := db.importScope(ctx, a)
	if err != nil {
		return ImportResult{}, err
	}
	if db.dialect == Postgres && len(problems) == 0 && len(rows) > 0 && !sc.knowsAny(rows) {
		return db.copyCheckedRows(ctx, a, sc, rows, opt)
	}
	plan, problems, err := db.previewRows(sc, rows, problems, opt)
	if err != nil {
		return ImportResult{}, err
	}
	if len(problems) > 0 {
		return ImportResult{}, importError(problems)
	}
	return db.writeImport(ctx, a, plan, opt)
}

// ImportBabies stores parsed rows all or nothing: every bad row is reported
// and nothing is written, or every row is written with its audit row in one
// transaction. On PostgreSQL new rows go in with COPY.
func (db *DB) ImportBabies(ctx context.Context, a Actor, rows []ImportRow, opt ImportOptions) (ImportResult, error) {
	if err := db.RequireBabyAccess(ctx, a, ActionCreate, ""); err != nil {
		return ImportResult{}, err
	}
	plan, problems, err := db.CheckImport(ctx, a, rows, opt)
	if err != nil {
		return ImportResult{}, err
	}
	if len(problems) > 0 {
		return ImportResult{}, importError(problems)
	}
	return db.writeImport(ctx, a, plan, opt)
}

// writeImport writes a checked plan.
func (db *DB) writeImport(ctx context.Context, a Actor, plan *ImportPlan, opt ImportOptions) (ImportResult, error) {
	if len(plan.Create)+len(plan.Update)+plan.Unchanged == 0 {
		return ImportResult{}, &Error{Code: EInvalid, Message: "the file has no rows", Fields: []FieldError{{Field: "rows", Code: "empty_file", Detail: "is empty"}}}
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	res := ImportResult{Created: len(plan.Create), Updated: len(plan.Update), Unchanged: plan.Unchanged}
	if db.dialect == Postgres && len(plan.Update) == 0 {
		refs := map[string][]string{}
		for _, b := range plan.Create {
			refs[b.OrganisationID] = append(refs[b.OrganisationID], b.Ref)
		}
		return res, db.copyBabies(ctx, a, refs, &createdRows{babies: plan.Create, progress: progress}, progress)
	}
	return res, db.tx(ctx, func(tx *gorm.DB) error {
		if err := db.insertImported(tx, a, plan.Create, progress); err != nil {
			return err
		}
		return db.updateImported(tx, a, plan.Update)
	})
}

// insertImported writes new records and their audit rows in batches.
func (db *DB) insertImported(tx *gorm.DB, a Actor, babies []Baby, progress func(done, total int)) error {
	for i := 0; i < len(babies); i += 1000 {
		batch := babies[i:min(i+1000, len(babies))]
		if err := tx.CreateInBatches(batch, 1000).Error; err != nil {
			return wrapWrite(err, "baby", "ref")
		}
		for _, b := range batch {
			if err := db.audit(tx, a, b.OrganisationID, ActionCreate, "baby", OutcomeSuccess, "import", b.ID); err != nil {
				return err
			}
		}
		progress(i+len(batch), len(babies))
	}
	return nil
}

// updateImported writes the changed fields of known records, audited with
// the fields' names.
func (db *DB) updateImported(tx *gorm.DB, a Actor, updates []ImportUpdate) error {
	for _, u := range updates {
		b := u.After
		err := tx.Model(&Baby{}).Where("id = ?", b.ID).Updates(map[string]any{"birth_date": b.BirthDate, "expected_date": b.ExpectedDate,
			"language": b.Language, "status": b.Status, "updated_at": b.UpdatedAt}).Error
		if err != nil {
			return wrapWrite(err, "baby", "ref")
		}
		if err := db.audit(tx, a, b.OrganisationID, ActionUpdate, "baby", OutcomeSuccess, "import, changed: "+changedBabyFields(&u.Before, &b), b.ID); err != nil {
			return err
		}
	}
	return nil
}

func importError(problems []RowError) error {
	e := &Error{Code: EInvalid, Message: fmt.Sprintf("%d problems in the file; nothing was imported", len(problems))}
	for i, p := range problems {
		if i == 1000 {
			e.Fields = append(e.Fields, FieldError{Field: "rows", Code: "more_rows", Args: map[string]any{"Count": len(problems) - 1000}, Detail: fmt.Sprintf("and %d more", len(problems)-1000)})
			break
		}
		e.Fields = append(e.Fields, FieldError{Field: fmt.Sprintf("rows[%d].%s", p.Line, p.Field), Code: p.Code, Args: p.Args, Detail: p.Detail})
	}
	return e
}

// ImportPlan is what an import would do: the records it creates, those it
// changes, and how many rows change nothing.
type ImportPlan struct {
	Create    []Baby
	Update    []ImportUpdate
	Unchanged int
}

// ImportUpdate is a known record before and after a row of an import.
type ImportUpdate struct {
	Line          int
	Before, After Baby
}

// importScope is what checking an import needs of the store: the
// locations a may use, by id and by name, and the refs their organisations hold.
type importScope struct {
	byID   map[string]Location
	byName map[string][]Location
	known  map[string]Baby // organisation + ref -> record
}

func (db *DB) importScope(ctx context.Context, a Actor) (*importScope, error) {
	g := db.gorm.WithContext(ctx)
	var locs []Location
	if err := a.scopeLocations(g.Model(&Location{}), "id", "organisation_id").Find(&locs).Error; err != nil {
		return nil, wrapRead(err, "locations")
	}
	sc := &importScope{byID: map[string]Location{}, byName: map[string][]Location{}, known: map[string]Baby{}}
	orgs := map[string]bool{}
	for _, l := range locs {
		sc.byID[l.ID] = l
		for _, n := range locationNames(l.Name) {
			sc.byName[n] = append(sc.byName[n], l)
		}
		orgs[l.OrganisationID] = true
	}
	for org := range orgs {
		var known []Baby
		if err := g.Select("id", "organisation_id", "location_id", "ref", "birth_date", "expected_date", "language", "status", "left_reason", "left_on", "created_at").
			Where("organisation_id = ? AND ref <> ''", org).Find(&known).Error; err != nil {
			return nil, wrapRead(err, "babies")
		}
		for _, b := range known {
			sc.known[org+"\x00"+b.Ref] = b
		}
	}
	return sc, nil
}

// locationNames are the names a location may go by in a spreadsheet: its
// name, and its name without the kind ("Musselkanaal" for "azc
// Musselkanaal"), lower case.
func locationNames(name string) []string {
	n := strings.ToLower(strings.TrimSpace(name))
	out := []string{n}
	for _, kind := range []string{"azc ", "ac ", "noodopvang ", "crisisnoodopvang ", "pop-up "} {
		if rest, ok := strings.CutPrefix(n, kind); ok && rest != "" {
			out = append(out, rest)
		}
	}
	return out
}

// location resolves what a row names as its location: an id, or a name the
// scope knows once.
func (sc *importScope) location(s string) (Location, string) {
	if l, ok := sc.byID[s]; ok {
		return l, ""
	}
	switch found := sc.byName[strings.ToLower(strings.TrimSpace(s))]; len(found) {
	case 1:
		return found[0], ""
	case 0:
		return Location{}, "unknown"
	}
	return Location{}, "ambiguous"
}

// CheckImport turns rows into what they would do and lists every problem of
// every row at once: form, location, language, status, duplicates in the
// file, and refs taken (or, with Update, a location that differs).
func (db *DB) CheckImport(ctx context.Context, a Actor, rows []ImportRow, opt ImportOptions) (*ImportPlan, []RowError, error) {
	sc, err := db.importScope(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	plan, problems := db.checkImport(sc, rows, opt)
	return plan, problems, nil
}

func (db *DB) checkImport(sc *importScope, rows []ImportRow, opt ImportOptions) (*ImportPlan, []RowError) {
	ck := db.newRowChecker(sc, opt)
	plan := &ImportPlan{Create: make([]Baby, 0, len(rows))}
	var problems []RowError
	for _, r := range rows {
		create, update, rowProblems := ck.check(r)
		problems = append(problems, rowProblems...)
		switch {
		case create != nil:
			plan.Create = append(plan.Create, *create)
		case update != nil:
			plan.Update = append(plan.Update, *update)
		case len(rowProblems) == 0:
			plan.Unchanged++
		}
	}
	return plan, problems
}

// rowChecker checks the rows of one file in order: each on its own, and
// against the rows before it and the store's records.
type rowChecker struct {
	sc     *importScope
	update bool
	today  civil.Date
	now    time.Time
	seen   map[string]int // organisation + ref -> line
}

func (db *DB) newRowChecker(sc *importScope, opt ImportOptions) *rowChecker {
	return &rowChecker{sc: sc, update: opt.Update, today: db.Today(), now: db.Now(), seen: map[string]int{}}
}

// check says what row r does: a new record (with its id), a change of a
// known one, nothing (neither, without problems), or its problems.
func (ck *rowChecker) check(r ImportRow) (*Baby, *ImportUpdate, []RowError) {
	b, problems := checkRow(ck.sc, r, ck.today)
	if b == nil {
		return nil, nil, problems
	}
	key := b.OrganisationID + "\x00" + b.Ref
	if line, dup := ck.seen[key]; dup {
		return nil, nil, []RowError{{Line: r.Line, Field: "ref", Code: "duplicate_row", Args: map[string]any{"Line": line}, Detail: fmt.Sprintf("is also on line %d", line)}}
	}
	ck.seen[key] = r.Line
	old, known := ck.sc.known[key]
	switch {
	case known && !ck.update:
		return nil, nil, []RowError{{Line: r.Line, Field: "ref", Code: "taken", Detail: "a baby with this ref exists already"}}
	case known && old.LocationID != b.LocationID:
		return nil, nil, []RowError{{Line: r.Line, Field: "location", Code: "move_for_location", Detail: "differs from the record's; record a move"}}
	case known:
		after := old
		after.BirthDate, after.ExpectedDate, after.Language, after.Status, after.UpdatedAt = b.BirthDate, b.ExpectedDate, b.Language, b.Status, ck.now
		if changedBabyFields(&old, &after) == "nothing" {
			return nil, nil, nil
		}
		return nil, &ImportUpdate{Line: r.Line, Before: old, After: after}, nil
	}
	b.ID, b.CreatedAt, b.UpdatedAt = NewID("baby"), ck.now, ck.now
	return b, nil, nil
}

// knowsAny reports whether a row names a ref its location's organisation
// holds already (an update, or a ref taken).
func (sc *importScope) knowsAny(rows []ImportRow) bool {
	for _, r := range rows {
		if l, why := sc.location(r.Location); why == "" {
			if _, ok := sc.known[l.OrganisationID+"\x00"+r.Ref]; ok {
				return true
			}
		}
	}
	return false
}

// checkRow validates one row as a record of its location's organisation.
func checkRow(sc *importScope, r ImportRow, today civil.Date) (*Baby, []RowError) {
	var problems []RowError
	add := func(field, code, detail string) {
		problems = append(problems, RowError{Line: r.Line, Field: field, Code: code, Detail: detail})
	}
	loc, why := sc.location(r.Location)
	switch {
	case r.Location == "":
		add("location", "required", "is required")
	case why == "ambiguous":
		add("location", "ambiguous", fmt.Sprintf("%q names more than one location; use its id", r.Location))
	case why != "":
		add("location", "unknown", fmt.Sprintf("unknown location %q", r.Location))
	}
	language, ok := messages.LanguageCode(r.Language)
	if !ok {
		add("language", "language", fmt.Sprintf("%q is not a language coplan knows; use its ISO 639 code", r.Language))
	}
	b := &Baby{Ref: r.Ref, LocationID: loc.ID, OrganisationID: loc.OrganisationID, Language: language, Status: r.Status,
		BirthDate: r.BirthDate, ExpectedDate: r.ExpectedDate}
	if b.Status == "" {
		b.Status = StatusEnrolled
	}
	for _, err := range []error{b.Validate(), validateBabyDates(b, nil, today)} {
		var e *Error
		if !errors.As(err, &e) {
			continue
		}
		for _, f := range e.Fields {
			field := f.Field
			if field == "location_id" {
				field = "location"
			}
			if r.Bad[field] || (field == "location" && why != "") || (field == "language" && !ok) ||
				(field == "birth_date" && (r.Bad["birth_date"] || r.Bad["expected_date"])) {
				continue // named already
			}
			problems = append(problems, RowError{Line: r.Line, Field: field, Code: f.Code, Args: f.Args, Detail: f.Detail})
		}
	}
	if len(problems) > 0 || len(r.Bad) > 0 {
		return nil, problems
	}
	return b, nil
}

// createdRows feeds COPY the checked records of a plan.
type createdRows struct {
	babies   []Baby
	n        int
	progress func(done, total int)
}

func (c *createdRows) Next() bool {
	c.n++
	if c.n%5000 == 0 {
		c.progress(c.n, len(c.babies))
	}
	return c.n <= len(c.babies)
}
func (c *createdRows) Values() ([]any, error) { return babyCopyValues(&c.babies[c.n-1]), nil }
func (c *createdRows) Err() error             { return nil }
func (c *createdRows) Created() []Baby        { return c.babies }

// checkedRows feeds COPY each row as it is checked. After the first
// problem it sends nothing more, checks the rest of the file for theirs,
// and fails the COPY, so that the transaction writes nothing.
type checkedRows struct {
	ck       *rowChecker
	rows     []ImportRow
	n        int
	created  []Baby
	problems []RowError
	progress func(done, total int)
}

// errRowProblems fails a COPY whose rows have problems.
var errRowProblems = errors.New("store: the file has problems")

func (c *checkedRows) Next() bool {
	for c.n < len(c.rows) {
		r := c.rows[c.n]
		c.n++
		if c.n%5000 == 0 {
			c.progress(c.n, len(c.rows))
		}
		b, _, problems := c.ck.check(r) // the file holds no known ref: no updates
		c.problems = append(c.problems, problems...)
		if b != nil && len(c.problems) == 0 {
			c.created = append(c.created, *b)
			return true
		}
	}
	return false
}

func (c *checkedRows) Values() ([]any, error) {
	return babyCopyValues(&c.created[len(c.created)-1]), nil
}
func (c *checkedRows) Created() []Baby { return c.created }
func (c *checkedRows) Err() error {
	if len(c.problems) > 0 {
		return errRowProblems
	}
	return nil
}

// babySource is a COPY source of new records that keeps what it sent.
type babySource interface {
	pgx.CopyFromSource
	Created() []Baby
}

var babyCopyColumns = []string{"id", "organisation_id", "location_id", "ref", "birth_date", "expected_date", "language", "status", "created_at", "updated_at"}

func babyCopyValues(b *Baby) []any {
	return []any{b.ID, b.OrganisationID, b.LocationID, b.Ref, dateOrNil(b.BirthDate), dateOrNil(b.ExpectedDate), b.Language, string(b.Status), b.CreatedAt, b.UpdatedAt}
}

func dateOrNil(d *civil.Date) any {
	if d == nil {
		return nil
	}
	y, m, day := d.Parts()
	return time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
}

// copyCheckedRows imports rows of new records only, checking each as COPY
// takes it; problems come back all at once, with nothing written.
func (db *DB) copyCheckedRows(ctx context.Context, a Actor, sc *importScope, rows []ImportRow, opt ImportOptions) (ImportResult, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	refs := map[string][]string{}
	for _, r := range rows {
		if l, why := sc.location(r.Location); why == "" {
			refs[l.OrganisationID] = append(refs[l.OrganisationID], r.Ref)
		}
	}
	src := &checkedRows{ck: db.newRowChecker(sc, opt), rows: rows, progress: progress}
	err := db.copyBabies(ctx, a, refs, src, progress)
	if errors.Is(err, errRowProblems) {
		sort.SliceStable(src.problems, func(i, j int) bool { return src.problems[i].Line < src.problems[j].Line })
		return ImportResult{}, importError(src.problems)
	}
	return ImportResult{Created: len(src.created)}, err
}

// copyBabies writes the records src gives and their audit rows with COPY in
// one PostgreSQL transaction, under the import lock of each organisation in
// refs (organisation -> the refs it gets).
func (db *DB) copyBabies(ctx context.Context, a Actor, refs map[string][]string, src babySource, progress func(done, total int)) error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	at := db.Now()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if err := lockImportRefs(ctx, tx, refs); err != nil {
			return err
		}
		if _, err = tx.CopyFrom(ctx, pgx.Identifier{"babies"}, babyCopyColumns, src); err != nil {
			if errors.Is(err, errRowProblems) {
				return err
			}
			return wrapWrite(translatePg(err), "baby", "ref")
		}
		babies := src.Created()
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_log"},
			[]string{"at", "token_id", "user_id", "client", "role", "organisation_id", "action", "entity", "record_id", "outcome", "detail"},
			pgx.CopyFromSlice(len(babies), func(i int) ([]any, error) {
				return []any{at, a.TokenID, a.UserID, a.Client, string(a.Role), babies[i].OrganisationID, ActionCreate, "baby", babies[i].ID, OutcomeSuccess, "import"}, nil
			}))
		if err != nil {
			return err
		}
		progress(len(babies), len(babies))
		if c, ok := ctx.Value(claimKey{}).(claim); ok {
			if _, err := tx.Exec(ctx, "UPDATE idempotency_keys SET committed = TRUE WHERE token_id = $1 AND key = $2", c.tokenID, c.key); err != nil {
				return err
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
		claimCommitted(ctx)
		return nil
	})
}

// lockImportRefs holds each organisation's import lock alone (single writes of
// refs take it shared) and checks again, now that no ref can change, that no
// imported ref is taken: a ref written since the file was checked is a
// conflict answered here, never one the unique index (and the server log)
// sees during COPY.
func lockImportRefs(ctx context.Context, tx pgx.Tx, refs map[string][]string) error {
	orgs := make([]string, 0, len(refs))
	for org := range refs {
		orgs = append(orgs, org)
	}
	sort.Strings(orgs) // one order for every import, so that two never wait on each other
	for _, org := range orgs {
		rs := refs[org]
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7261005, hashtext($1))", org); err != nil {
			return err
		}
		var taken []string
		rows, err := tx.Query(ctx, "SELECT ref FROM babies WHERE organisation_id = $1 AND ref = ANY($2) ORDER BY ref LIMIT 1000", org, rs)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			taken = append(taken, r)
		}
		rows.Close()
		if len(taken) > 0 {
			e := &Error{Code: EConflict, Message: fmt.Sprintf("%d refs of the file were taken while it was checked; nothing was imported", len(taken))}
			for _, r := range taken {
				e.Fields = append(e.Fields, FieldError{Field: "ref", Code: "taken", Detail: quote(r) + " is already taken"})
			}
			return e
		}
	}
	return nil
}

// uniqueViolation is PostgreSQL's SQLSTATE for a broken unique constraint.
const uniqueViolation = "23505"

// translatePg maps a unique violation during COPY (which goes around gorm's
// error translation) to gorm's error, by the driver's error code.
func translatePg(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == uniqueViolation {
		return gorm.ErrDuplicatedKey
	}
	return err
}
