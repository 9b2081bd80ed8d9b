package enum

import "testing"

type color uint8

var colorNames = []string{"", "red", "green"}

func TestName(t *testing.T) {
	for v, want := range map[color]string{0: "color(0)", 1: "red", 2: "green", 3: "color(3)", 255: "color(255)"} {
		if got := Name(v, "color", colorNames); got != want {
			t.Errorf("Name(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for text, want := range map[string]color{"red": 1, "green": 2} {
		if got, ok := Parse[color](text, colorNames); !ok || got != want {
			t.Errorf("Parse(%q) = %d, %v", text, got, ok)
		}
	}
	for _, text := range []string{"", "Red", "blue", "color(1)"} {
		if _, ok := Parse[color](text, colorNames); ok {
			t.Errorf("Parse(%q) matched", text)
		}
	}
}

// TestText: every name is written, and a value without one is an error,
// never text that Parse would refuse.
func TestText(t *testing.T) {
	for v := range 256 {
		b, err := Text(color(v), "color", colorNames)
		name := Name(color(v), "color", colorNames)
		if _, ok := Parse[color](name, colorNames); ok {
			if err != nil || string(b) != name {
				t.Errorf("Text(%d) = %q, %v; want %q", v, b, err, name)
			}
		} else if err == nil {
			t.Errorf("Text(%d) = %q, want an error", v, b)
		}
	}
}
