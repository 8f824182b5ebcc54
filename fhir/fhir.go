// Package fhir writes coplan's JGZ contact moments as an HL7 FHIR R4
// Bundle of Encounter resources, with github.com/samply/golang-fhir-models
// (a maintained model of FHIR R4 for Go). It is its own package because it is
// the one place that knows FHIR, for the export into the child's JGZ file.
// The baby is the Encounter's subject by its ref alone: no other personal
// data leaves coplan this way.
package fhir

import (
	"encoding/json"
	"time"

	"github.com/coplan/coplan/store"
	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Code systems coplan names its codes in.
const (
	ActCodeSystem       = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	ContactMomentSystem = "urn:coplan:contact-moment"    // the moment's code, e.g. months_3
	RefSystem           = "urn:coplan:baby-ref:"         // + organisation id: refs are unique per organisation
	FacilitatorSystem   = "urn:coplan:facilitator"       // a facilitator's id
	SessionSystem       = "urn:coplan:centering-session" // the session the moment was part of
)

// Bundle is the contact moments as a collection Bundle; display names the
// moment's type in words (the catalogue's).
func Bundle(moments []store.ContactMoment, display func(code string) string, now time.Time) ([]byte, error) {
	entries := make([]fhir.BundleEntry, 0, len(moments))
	for _, m := range moments {
		raw, err := json.Marshal(encounter(m, display))
		if err != nil {
			return nil, err
		}
		entries = append(entries, fhir.BundleEntry{Resource: raw})
	}
	total := len(entries)
	stamp := now.UTC().Format(time.RFC3339)
	b := fhir.Bundle{Type: fhir.BundleTypeCollection, Timestamp: &stamp, Total: &total, Entry: entries}
	return json.Marshal(b)
}

func encounter(m store.ContactMoment, display func(string) string) fhir.Encounter {
	str := func(s string) *string { return &s }
	start, end := m.StartsAt.Format(time.RFC3339), m.EndsAt.Format(time.RFC3339)
	e := fhir.Encounter{
		Status: fhir.EncounterStatusFinished,
		Class:  fhir.Coding{System: str(ActCodeSystem), Code: str("AMB"), Display: str("ambulatory")},
		Type: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: str(ContactMomentSystem), Code: str(m.Type), Display: str(display(m.Type))}},
			Text: str(display(m.Type))}},
		Subject:    &fhir.Reference{Identifier: &fhir.Identifier{System: str(RefSystem + m.OrganisationID), Value: str(m.Ref)}},
		Period:     &fhir.Period{Start: &start, End: &end},
		Identifier: []fhir.Identifier{{System: str(SessionSystem), Value: str(m.SessionID)}},
	}
	for _, f := range m.FacilitatorIDs {
		e.Participant = append(e.Participant, fhir.EncounterParticipant{Individual: &fhir.Reference{Identifier: &fhir.Identifier{System: str(FacilitatorSystem), Value: str(f)}}})
	}
	return e
}
