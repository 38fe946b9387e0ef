-- How a person is named in placement reasons: the e-mail address of user $1.
SELECT email FROM migration.users WHERE id = $1
