package edr

import (
	"time"

	"github.com/blockmode/blockmode/mode"
)

// Recommendation is one thing the security team should do.
type Recommendation struct {
	// ID is stable: "turn-on-edr-block-mode", or "fix-" and the
	// requirement id.
	ID string `json:"id"`
	// Title says it in a few words.
	Title string `json:"title"`
	// Detail says why and how.
	Detail string `json:"detail,omitempty"`
	// Requirement is the failed requirement this fixes, if any.
	Requirement RequirementID `json:"requirement,omitempty"`
}

// RecTurnOn is the id of the security recommendation to turn EDR in block
// mode on, which the security team gets when it is not in effect.
const RecTurnOn = "turn-on-edr-block-mode"

// recommend returns the recommendations for a report: turning block mode
// on when it is known not to be in effect, then one item per failed
// requirement, then one per unknown requirement (find out).
func (rs *Ruleset) recommend(r *Report, f DeviceFacts) []Recommendation {
	var out []Recommendation
	if r.InEffect == Fail {
		rec := Recommendation{ID: RecTurnOn, Title: "Turn on EDR in block mode",
			Detail: "block mode blocks and remediates malicious artifacts that post-breach detection finds, when another antivirus missed them"}
		if f.Mode == mode.Active {
			rec.Detail = rs.ActiveModeAdvice
		}
		out = append(out, rec)
	}
	for _, want := range []Result{Fail, Unknown} {
		for _, c := range r.Checks {
			if c.Result != want || c.Remedy == "" {
				continue
			}
			title := "Fix: " + c.Requirement
			if want == Unknown {
				title = "Find out: " + c.Requirement
			}
			out = append(out, Recommendation{ID: "fix-" + string(c.ID), Title: title, Detail: c.Remedy, Requirement: c.ID})
		}
	}
	return out
}

// Assess checks a device under the history's ruleset and adds the
// effective state at an instant: the full report a security team reads. When the history says block mode is in effect and the device
// reports a passive mode other than "EDR Block Mode" (or the other way
// round), the device's report wins for InEffect, since it is what the
// device does, and the reason says the two disagree.
func (h *History) Assess(f DeviceFacts, at time.Time) Report {
	rs := h.Ruleset()
	r := rs.Eligibility(f)
	st := h.State(f, at)
	r.State = &st
	observed, observedWhy := r.InEffect, r.InEffectReason
	switch {
	case observed == Unknown && st.State != StateUnknown:
		r.InEffect, r.InEffectReason = Fail, "settings: "+st.Reason
		if st.InEffect {
			r.InEffect = Pass
		}
	case observed != Unknown && st.State != StateUnknown && (observed == Pass) != st.InEffect:
		r.InEffectReason = observedWhy + "; the settings history says " + st.State.String() + " (" + st.Reason + ")"
	}
	r.Recommendations = rs.recommend(&r, f)
	return r
}
