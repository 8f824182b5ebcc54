package store

import (
	"context"
	"time"

	"github.com/coplan/coplan/civil"
	"gorm.io/gorm"
)

// Room is a room at a COA location where a CO group can meet: a circle of
// parents, a weighing spot and, ideally, a private corner or exam room.
type Room struct {
	ID           string         `gorm:"primaryKey" json:"id"`
	LocationID   string         `json:"location_id"`
	Name         string         `json:"name"`
	Capacity     int            `json:"capacity"`
	HasExamRoom  bool           `json:"has_exam_room"`
	OpeningHours []civil.Weekly `gorm:"serializer:json" json:"opening_hours"`
	Closures     []civil.Range  `gorm:"serializer:json" json:"closures"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	// DeletedAt marks a deleted room, kept because past sessions name it:
	// invisible to the API, never planned.
	DeletedAt *time.Time `json:"-"`
}

// activeRooms limits a query on rooms to those not deleted.
func activeRooms(q *gorm.DB) *gorm.DB { return q.Where("deleted_at IS NULL") }

// Validate checks the fields of r.
func (r *Room) Validate() error {
	var f Fields
	f.Limit("opening_hours", len(r.OpeningHours), MaxWeekly)
	f.Limit("closures", len(r.Closures), MaxRanges)
	validateName(&f, "name", r.Name)
	if r.Capacity < 1 || r.Capacity > 500 {
		f.Add("capacity", "range_1_500", "must be between 1 and 500 people")
	}
	f.AddIndexed("opening_hours", civil.ValidateWeekly(r.OpeningHours))
	f.AddIndexed("closures", civil.ValidateRanges(r.Closures))
	if r.OpeningHours == nil {
		r.OpeningHours = []civil.Weekly{}
	}
	if r.Closures == nil {
		r.Closures = []civil.Range{}
	}
	return f.Err()
}

// roomLocation loads the location of a room request and checks that a may use it.
func (db *DB) roomLocation(tx *gorm.DB, a Actor, locationID string) (*Location, error) {
	q := a.scopeLocations(tx.Where("id = ?", locationID), "id", "organisation_id")
	return first[Location](q, "location", locationID)
}

// CreateRoom adds a room to location locationID.
func (db *DB) CreateRoom(ctx context.Context, a Actor, locationID string, r *Room) error {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := db.roomLocation(tx, a, locationID); err != nil {
			return err
		}
		n, err := count(activeRooms(tx.Model(&Room{}).Where("location_id = ?", locationID)))
		if err != nil {
			return err
		}
		if n >= MaxRoomsPerLocation {
			return Errorf(EUnprocessable, "a location holds at most %d rooms", MaxRoomsPerLocation)
		}
		r.ID = NewID("room")
		r.LocationID = locationID
		return wrapWrite(tx.Create(r).Error, "room", "name")
	})
}

// Room returns room id of location locationID.
func (db *DB) Room(ctx context.Context, a Actor, locationID, id string) (*Room, error) {
	g := db.gorm.WithContext(ctx)
	if _, err := db.roomLocation(g, a, locationID); err != nil {
		return nil, err
	}
	return first[Room](activeRooms(g.Where("id = ? AND location_id = ?", id, locationID)), "room", id)
}

// Rooms lists the rooms of location locationID by name.
func (db *DB) Rooms(ctx context.Context, a Actor, locationID string, p Page) ([]Room, int64, error) {
	g := db.gorm.WithContext(ctx)
	if _, err := db.roomLocation(g, a, locationID); err != nil {
		return nil, 0, err
	}
	return page[Room](activeRooms(g.Model(&Room{}).Where("location_id = ?", locationID)), p, "name, id", "rooms")
}

// UpdateRoom applies change to a room; location staff may update their own rooms.
func (db *DB) UpdateRoom(ctx context.Context, a Actor, locationID, id string, change func(*Room)) (*Room, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	var out *Room
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = db.updateRoom(tx, a, locationID, id, change)
		return err
	})
	return out, err
}

// UpdateRoom is DB.UpdateRoom inside tx (a closure with its re-plan).
func (tx *Tx) UpdateRoom(a Actor, locationID, id string, change func(*Room)) (*Room, error) {
	if err := a.Require(RoleAdmin, RoleCoordinator, RoleLocation); err != nil {
		return nil, err
	}
	return tx.db.updateRoom(tx.g, a, locationID, id, change)
}

func (db *DB) updateRoom(tx *gorm.DB, a Actor, locationID, id string, change func(*Room)) (*Room, error) {
	if _, err := db.roomLocation(tx, a, locationID); err != nil {
		return nil, err
	}
	r, err := first[Room](db.forUpdate(activeRooms(tx.Where("id = ? AND location_id = ?", id, locationID))), "room", id)
	if err != nil {
		return nil, err
	}
	change(r)
	r.ID, r.LocationID = id, locationID
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, wrapWrite(tx.Save(r).Error, "room", "name")
}

// MarkRoomDeleted deletes a room: the record stays for the past sessions that
// name it, out of every list and plan; groups forget it as their own room.
func (tx *Tx) MarkRoomDeleted(id string) error {
	if err := tx.g.Model(&Group{}).Where("room_id = ?", id).Update("room_id", "").Error; err != nil {
		return wrapRead(err, "forget group room")
	}
	return wrapRead(tx.g.Model(&Room{}).Where("id = ?", id).Update("deleted_at", tx.Now()).Error, "delete room")
}
