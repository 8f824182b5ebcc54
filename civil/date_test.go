package civil

import "testing"

func TestParseDutchTakesWhatPeopleType(t *testing.T) {
	for in, want := range map[string]string{"09-02-2027": "2027-02-09", "9-2-2027": "2027-02-09", "09/02/2027": "2027-02-09",
		"9.2.2027": "2027-02-09", "2027-02-09": "2027-02-09", " 28-02-2027 ": "2027-02-28"} {
		d, err := ParseDutch(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDutch(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"30-02-2027", "2027/02/09", "9-13-2027", "", "09-02-27", "0-1-2027", "x"} {
		if d, err := ParseDutch(bad); err == nil {
			t.Errorf("ParseDutch(%q) = %v; want an error", bad, d)
		}
	}
}
