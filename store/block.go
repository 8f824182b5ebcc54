package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Block is a booking of a room that is not CO, entered by location staff:
// one-off, or weekly until a date.
type Block struct {
	ID         string      `gorm:"primaryKey" json:"id"`
	RoomID     string      `json:"room_id"`
	LocationID string      `json:"location_id"`
	Title      string      `json:"title"`
	StartsAt   time.Time   `json:"start"`
	EndsAt     time.Time   `json:"end"`
	Weekly     bool        `json:"weekly"`
	Until      *civil.Date `json:"until,omitempty"`
	CreatedBy  string      `json:"-"`
	CreatedAt  time.Time   `json:"created_at"`
}

// TableName is room_blocks.
func (Block) TableName() string { return "room_blocks" }

// loaded shows times in Amsterdam.
func (b *Block) loaded() {
	b.StartsAt, b.EndsAt = b.StartsAt.In(civil.Amsterdam), b.EndsAt.In(civil.Amsterdam)
}

// Occurrence is one time a block holds its room.
type Occurrence struct {
	Start, End time.Time
}

// maxOccurrences caps a weekly block: two years.
const maxOccurrences = 105

// Occurrences lists the times the block holds the room that overlap [from, to):
// a weekly block repeats at the same Amsterdam wall-clock time, also across a
// change of summer time.
func (b *Block) Occurrences(from, to time.Time) []Occurrence {
	var out []Occurrence
	length := b.EndsAt.Sub(b.StartsAt)
	start := b.StartsAt.In(civil.Amsterdam)
	for i := 0; i < maxOccurrences; i++ {
		s := start.AddDate(0, 0, 7*i)
		if i > 0 && (!b.Weekly || b.Until == nil || civil.Today(s) > *b.Until) {
			break
		}
		e := s.Add(length)
		if !to.IsZero() && !s.Before(to) {
			break
		}
		if e.After(from) {
			out = append(out, Occurrence{s, e})
		}
	}
	return out
}

// Validate checks a block's fields.
func (b *Block) Validate(now time.Time) error {
	var f Fields
	switch t := strings.TrimSpace(b.Title); {
	case t == "":
		f.Add("title", "required", "is required")
	case len(b.Title) > 200 || strings.ContainsAny(b.Title, "\r\n\x00"):
		f.Add("title", "one_line_200", "must be one line of at most 200 characters")
	}
	if !b.EndsAt.After(b.StartsAt) {
		f.Add("end", "after_start", "must be after start")
	} else if b.EndsAt.Sub(b.StartsAt) > 14*24*time.Hour {
		f.Add("end", "block_too_long", "a block lasts at most 14 days; close the room for longer periods")
	}
	if b.EndsAt.Before(now) {
		f.Add("end", "past", "is in the past")
	}
	if b.Weekly {
		switch {
		case b.Until == nil:
			f.Add("until", "required", "is required for a weekly block")
		case *b.Until < civil.Today(b.StartsAt):
			f.Add("until", "before_start", "is before the start")
		case b.Until.Sub(civil.Today(b.StartsAt)) > 7*(maxOccurrences-1):
			f.Add("until", "weekly_too_long", "a weekly block repeats for at most two years")
		}
		if b.EndsAt.Sub(b.StartsAt) > 7*24*time.Hour {
			f.Add("end", "weekly_block_week", "a weekly block lasts less than a week")
		}
	} else if b.Until != nil {
		f.Add("until", "only_weekly", "is only for weekly blocks")
	}
	return f.Err()
}

// roomAt loads a room of a location a may manage bookings of.
func (db *DB) roomAt(tx *gorm.DB, a Actor, locationID, roomID string) (*Location, *Room, error) {
	l, err := db.roomLocation(tx, a, locationID)
	if err != nil {
		return nil, nil, err
	}
	r, err := first[Room](activeRooms(tx.Where("id = ? AND location_id = ?", roomID, locationID)), "room", roomID)
	return l, r, err
}

// Blocks lists the blocks of a room.
func (db *DB) Blocks(ctx context.Context, a Actor, locationID, roomID string) ([]Block, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	g := db.gorm.WithContext(ctx)
	if _, _, err := db.roomAt(g, a, locationID, roomID); err != nil {
		return nil, err
	}
	blocks := []Block{}
	err := g.Where("room_id = ?", roomID).Order("starts_at, id").Find(&blocks).Error
	return blocks, err
}

// Block returns one block of a room.
func (db *DB) Block(ctx context.Context, a Actor, locationID, roomID, id string) (*Block, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	g := db.gorm.WithContext(ctx)
	if _, _, err := db.roomAt(g, a, locationID, roomID); err != nil {
		return nil, err
	}
	return first[Block](g.Where("id = ? AND room_id = ?", id, roomID), "block", id)
}

// DeleteBlock removes a block; the room is free again at the next plan.
func (db *DB) DeleteBlock(ctx context.Context, a Actor, locationID, roomID, id string) error {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if _, _, err := db.roomAt(tx, a, locationID, roomID); err != nil {
			return err
		}
		res := tx.Where("id = ? AND room_id = ?", id, roomID).Delete(&Block{})
		if res.Error != nil {
			return fmt.Errorf("store: delete block: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("block", id)
		}
		return nil
	})
}

// blocksOf loads the blocks of the given rooms.
func blocksOf(tx *gorm.DB, roomIDs []string) (map[string][]Block, error) {
	var blocks []Block
	if err := tx.Where("room_id IN ?", nonEmpty(roomIDs)).Order("starts_at, id").Find(&blocks).Error; err != nil {
		return nil, err
	}
	out := map[string][]Block{}
	for _, b := range blocks {
		out[b.RoomID] = append(out[b.RoomID], b)
	}
	return out, nil
}
