-- Makes the rest of the transaction read-only: PostgreSQL refuses any write in it (`plan preview`).
SET TRANSACTION READ ONLY
