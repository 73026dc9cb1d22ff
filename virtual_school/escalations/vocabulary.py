"""Escalation words, spelled once: the records an escalation may be about, its status and the workflow's
end states (workflows/escalation.json; the level states are ``domain.escalation_ladder.LEVELS``)."""

# Records an escalation may be about, and the field on each that names the child (None: not one child).
ESCALATABLE = {
	"School Place Request": "child",
	"Child": "name",
	"Personal Education Plan": "child",
	"PP Plus Impact Report": None,
	"PP Plus Claim": "child",
	"Exclusion": "child",
}

# Escalation.status options (escalation.json): Open while on a level, else the end state's name
OPEN = "Open"
RESOLVED = "Resolved"
CLOSED = "Closed"
# workflow states that end an escalation; every other state is a level of the ladder
ENDED_STATES = (RESOLVED, CLOSED)
STATUS_BY_STATE = {state: state for state in ENDED_STATES}
