package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// FeedKind is what a calendar feed shows.
type FeedKind string

// Kinds of feed.
const (
	FeedFacilitator  FeedKind = "facilitator"  // one facilitator's sessions
	FeedOrganisation FeedKind = "organisation" // all sessions of an organisation
	FeedLocation     FeedKind = "location"     // the room bookings at a location
	FeedGroup        FeedKind = "group"        // one group's sessions
)

// Feed is a subscribable calendar. Its URL is derived from the secret, its id
// and its version, so it is never stored; rotating bumps the version.
type Feed struct {
	ID             string     `gorm:"primaryKey" json:"id"`
	Kind           FeedKind   `json:"kind"`
	SubjectID      string     `json:"subject_id"`
	OrganisationID string     `json:"organisation_id"`
	Version        int        `json:"-"`
	CreatedBy      string     `json:"-"`
	CreatedAt      time.Time  `json:"created_at"`
	Body           string     `json:"-"`
	ETag           string     `gorm:"column:etag" json:"-"`
	LastModified   *time.Time `json:"last_modified,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
}

// ETagOf is the strong ETag of a feed body.
func ETagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// scopeFeeds limits a query to the feeds a may see and manage.
func (a Actor) scopeFeeds(q *gorm.DB) *gorm.DB {
	switch a.Role {
	case RoleAdmin:
		return q
	case RoleNurse:
		return q.Where("kind = ? AND subject_id = ?", FeedFacilitator, a.FacilitatorID)
	case RoleLocation:
		return q.Where("kind = ? AND subject_id = ?", FeedLocation, a.LocationID)
	default:
		return q.Where("organisation_id = ?", a.OrganisationID)
	}
}

// feedSubjectOrganisation checks that the subject exists and a may subscribe to
// it, and returns its organisation.
func (db *DB) feedSubjectOrganisation(tx *gorm.DB, a Actor, kind FeedKind, subject string) (string, error) {
	unknown := &Error{Code: EInvalid, Message: "the request has invalid fields",
		Fields: []FieldError{{Field: "subject_id", Code: "unknown", Detail: fmt.Sprintf("unknown %s %q", kind, subject)}}}
	forbidden := Errorf(EForbidden, "a %s token may not subscribe to this calendar", a.Role)
	var org string
	switch kind {
	case FeedFacilitator:
		if a.Role == RoleLocation || (a.Role == RoleNurse && subject != a.FacilitatorID) {
			return "", forbidden
		}
		f, err := first[Facilitator](tx.Where("id = ? AND deleted_at IS NULL", subject), "facilitator", subject)
		if err != nil {
			return "", unknown
		}
		org = f.OrganisationID
	case FeedOrganisation:
		if a.Role == RoleNurse || a.Role == RoleLocation {
			return "", forbidden
		}
		if _, err := first[Organisation](tx.Where("id = ?", subject), "organisation", subject); err != nil {
			return "", unknown
		}
		org = subject
	case FeedLocation:
		if a.Role == RoleNurse || (a.Role == RoleLocation && subject != a.LocationID) {
			return "", forbidden
		}
		l, err := first[Location](tx.Where("id = ?", subject), "location", subject)
		if err != nil {
			return "", unknown
		}
		org = l.OrganisationID
	case FeedGroup:
		if a.Role == RoleNurse || a.Role == RoleLocation {
			return "", forbidden
		}
		g, err := first[Group](tx.Where("id = ?", subject), "group", subject)
		if err != nil {
			return "", unknown
		}
		org = g.OrganisationID
	default:
		return "", &Error{Code: EInvalid, Message: "the request has invalid fields",
			Fields: []FieldError{{Field: "kind", Code: "choice", Detail: "must be facilitator, organisation, location or group"}}}
	}
	if !a.CanSeeOrganisation(org) && a.Role == RoleCoordinator {
		return "", unknown
	}
	return org, nil
}

// CreateFeed creates a feed; render fills its first body so that the URL works
// at once.
func (db *DB) CreateFeed(ctx context.Context, a Actor, kind FeedKind, subject string, render RenderFunc) (*Feed, error) {
	var out *Feed
	err := db.tx(ctx, func(tx *gorm.DB) error {
		org, err := db.feedSubjectOrganisation(tx, a, kind, subject)
		if err != nil {
			return err
		}
		f := &Feed{ID: NewID("feed"), Kind: kind, SubjectID: subject, OrganisationID: org, Version: 1, CreatedBy: a.Who(), CreatedAt: db.Now()}
		if err := tx.Create(f).Error; err != nil {
			return wrapWrite(err, "feed", "id")
		}
		src, err := db.feedSource(tx, f.OrganisationID)
		if err != nil {
			return err
		}
		if _, err := db.storeRendering(tx, src, f, render); err != nil {
			return err
		}
		out = f
		return nil
	})
	return out, err
}

// Feeds lists the feeds a may manage.
func (db *DB) Feeds(ctx context.Context, a Actor, p Page) ([]Feed, int64, error) {
	return page[Feed](a.scopeFeeds(db.gorm.WithContext(ctx).Model(&Feed{}).Omit("body")), p, "created_at, id", "feeds")
}

// DeleteFeed revokes a feed: its URL answers 404 from now on.
func (db *DB) DeleteFeed(ctx context.Context, a Actor, id string) error {
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := a.scopeFeeds(tx.Where("id = ?", id)).Delete(&Feed{})
		if res.Error != nil {
			return fmt.Errorf("store: delete feed: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("feed", id)
		}
		return nil
	})
}

// RotateFeed bumps a feed's version, which changes its URL; the old URL answers
// 404 at once.
func (db *DB) RotateFeed(ctx context.Context, a Actor, id string) (*Feed, error) {
	var out *Feed
	err := db.tx(ctx, func(tx *gorm.DB) error {
		f, err := first[Feed](db.forUpdate(a.scopeFeeds(tx.Where("id = ?", id))), "feed", id)
		if err != nil {
			return err
		}
		f.Version++
		if err := tx.Model(&Feed{}).Where("id = ?", id).Update("version", f.Version).Error; err != nil {
			return err
		}
		out = f
		return nil
	})
	return out, err
}

// FeedForServing loads a feed with its body by id, for the feed URL.
func (db *DB) FeedForServing(ctx context.Context, id string) (*Feed, error) {
	var f Feed
	err := db.gorm.WithContext(ctx).Where("id = ?", id).Take(&f).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("feed", id)
	}
	return &f, err
}

// FeedSource is what rendering feeds needs: the sessions feeds may show and the
// names of what they refer to. It holds no baby data.
type FeedSource struct {
	Now          time.Time
	Organisation Organisation // of the feeds rendered from this source
	Sessions     []Session
	Groups       map[string]Group
	Locations    map[string]Location
	Rooms        map[string]Room
	Facilitators map[string]Facilitator
	Blocks       map[string][]Block // by location

	index     map[FeedKind]map[string][]*Session
	indexOnce sync.Once
}

// SessionsFor returns the sessions a feed of kind about subject shows, in
// start order; the index is built once per source.
func (src *FeedSource) SessionsFor(kind FeedKind, subject string) []*Session {
	src.indexOnce.Do(func() {
		src.index = map[FeedKind]map[string][]*Session{
			FeedFacilitator: {}, FeedOrganisation: {}, FeedLocation: {}, FeedGroup: {},
		}
		for i := range src.Sessions {
			s := &src.Sessions[i]
			src.index[FeedFacilitator][s.LeadFacilitatorID] = append(src.index[FeedFacilitator][s.LeadFacilitatorID], s)
			if s.SecondFacilitatorID != s.LeadFacilitatorID {
				src.index[FeedFacilitator][s.SecondFacilitatorID] = append(src.index[FeedFacilitator][s.SecondFacilitatorID], s)
			}
			src.index[FeedOrganisation][s.OrganisationID] = append(src.index[FeedOrganisation][s.OrganisationID], s)
			src.index[FeedLocation][s.LocationID] = append(src.index[FeedLocation][s.LocationID], s)
			src.index[FeedGroup][s.GroupID] = append(src.index[FeedGroup][s.GroupID], s)
		}
	})
	return src.index[kind][subject]
}

// RenderFunc renders one feed from the source.
type RenderFunc func(src *FeedSource, f *Feed) ([]byte, error)

// FeedHistoryDays is how long past sessions stay in feeds.
const FeedHistoryDays = 90

// feedSource loads the publishable sessions (published, or cancelled and not
// yet over) of one organisation, with the names they refer to.
func (db *DB) feedSource(tx *gorm.DB, organisationID string) (*FeedSource, error) {
	now := db.Now()
	src := &FeedSource{Now: now, Groups: map[string]Group{}, Locations: map[string]Location{}, Rooms: map[string]Room{}, Facilitators: map[string]Facilitator{}, Blocks: map[string][]Block{}}
	ownLocations := "location_id IN (SELECT id FROM locations WHERE organisation_id = ?)"
	var (
		groups []Group
		locs   []Location
		rooms  []Room
		facs   []Facilitator
		blocks []Block
	)
	for _, q := range []struct {
		what string
		q    *gorm.DB
		dst  any
	}{
		{"sessions", tx.Where("organisation_id = ? AND ((status = ? AND ends_at >= ?) OR (status = ? AND ends_at >= ?))", organisationID,
			SessionPublished, now.AddDate(0, 0, -FeedHistoryDays), SessionCancelled, now).Order("starts_at, id"), &src.Sessions},
		{"groups", tx.Where("organisation_id = ?", organisationID), &groups},
		{"locations", tx.Where("organisation_id = ?", organisationID), &locs},
		{"rooms", tx.Where(ownLocations, organisationID), &rooms},
		{"facilitators", tx.Where("organisation_id = ?", organisationID), &facs},
		{"blocks", tx.Where(ownLocations+" AND (ends_at >= ? OR weekly)", organisationID, now.AddDate(0, 0, -FeedHistoryDays)).Order("starts_at, id"), &blocks},
	} {
		if err := q.q.Find(q.dst).Error; err != nil {
			return nil, fmt.Errorf("store: feed %s of %s: %w", q.what, organisationID, err)
		}
	}
	org, err := first[Organisation](tx.Where("id = ?", organisationID), "organisation", organisationID)
	if err != nil {
		return nil, err
	}
	src.Organisation = *org
	for _, g := range groups {
		src.Groups[g.ID] = g
	}
	for _, l := range locs {
		src.Locations[l.ID] = l
	}
	for _, r := range rooms {
		src.Rooms[r.ID] = r
	}
	for _, f := range facs {
		src.Facilitators[f.ID] = f
	}
	for _, b := range blocks {
		src.Blocks[b.LocationID] = append(src.Blocks[b.LocationID], b)
	}
	return src, nil
}

// storeRendering renders f and stores the bytes when they changed.
func (db *DB) storeRendering(tx *gorm.DB, src *FeedSource, f *Feed, render RenderFunc) (bool, error) {
	body, err := render(src, f)
	if err != nil {
		return false, err
	}
	now := db.Now()
	etag := ETagOf(body)
	changed := etag != f.ETag
	updates := map[string]any{"published_at": now}
	if changed {
		updates["body"], updates["etag"], updates["last_modified"] = string(body), etag, now
		f.Body, f.ETag, f.LastModified = string(body), etag, &now
	}
	f.PublishedAt = &now
	if err := tx.Model(&Feed{}).Where("id = ?", f.ID).Updates(updates).Error; err != nil {
		return false, fmt.Errorf("store: save feed %s: %w", f.ID, err)
	}
	return changed, nil
}

// Publication is what one publication run did.
type Publication struct {
	Feeds, Changed int
	// Skipped are the organisations whose records could not be read or
	// rendered: their feeds keep their last bytes, the others are published.
	Skipped []SkippedOrganisation
}

// SkippedOrganisation is an organisation a job could not do, and why.
type SkippedOrganisation struct {
	OrganisationID string
	Err            error
}

// PublishFeeds renders every feed and stores those whose bytes changed, all in
// the job's transaction: a crash leaves every previous feed in place. Each
// organisation's feeds are rendered in a savepoint of their own, so that one
// organisation's unreadable or inconsistent record holds back only its own.
func (t *Tx) PublishFeeds(render RenderFunc) (Publication, error) {
	var out Publication
	var all []Feed
	if err := t.g.Order("organisation_id, id").Find(&all).Error; err != nil {
		return out, fmt.Errorf("store: feeds: %w", err)
	}
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].OrganisationID == all[i].OrganisationID {
			j++
		}
		org, feeds := all[i].OrganisationID, all[i:j]
		changed := 0
		err := t.g.Transaction(func(tx *gorm.DB) error {
			changed = 0
			src, err := t.db.feedSource(tx, org)
			if err != nil {
				return err
			}
			for k := range feeds {
				c, err := t.db.storeRendering(tx, src, &feeds[k], render)
				if err != nil {
					return err
				}
				if c {
					changed++
				}
			}
			return nil
		})
		if err != nil {
			out.Skipped = append(out.Skipped, SkippedOrganisation{OrganisationID: org, Err: err})
		} else {
			out.Feeds, out.Changed = out.Feeds+len(feeds), out.Changed+changed
		}
		i = j
	}
	return out, nil
}
