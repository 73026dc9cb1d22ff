"""The words the app uses about a child, spelled once: cohorts, status and the key stages outside school age.

Query conditions built from them (on roll on a date, of school age) live here too, so a report, a job
and the portal ask the same question the same way.
"""

# Child.cohort options (child.json)
LOOKED_AFTER = "Looked After"
PREVIOUSLY_LOOKED_AFTER = "Previously Looked After"
CHILD_WITH_A_SOCIAL_WORKER = "Child with a Social Worker"
KINSHIP_CARE = "Kinship Care"
COHORTS = (LOOKED_AFTER, PREVIOUSLY_LOOKED_AFTER, CHILD_WITH_A_SOCIAL_WORKER, KINSHIP_CARE)

# Child.status
ACTIVE = "Active"
CLOSED = "Closed"

# Child.key_stage values outside compulsory school age (domain.school_days.key_stage_for)
NOT_OF_SCHOOL_AGE = ("Early years", "Post-18")
