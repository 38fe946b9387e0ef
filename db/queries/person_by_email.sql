-- A person by e-mail, created without a login if new; for owners and administrators naming people.
SELECT migration.person_by_email($1, $2)
