-- The ledger's core alone (a reference, not the app's transaction): lock both accounts in id
-- order, move the balances, append the entry and its two postings, commit. No idempotency key,
-- outbox event or audit row. Same variables as pgbench_transfer.sql.

\set x random(1, :naccounts)
\set y random(1, :naccounts - 1)
\set y case when :y >= :x then :y + 1 else :y end
\set side random(0, 1)
\set src case when :side = 0 then :x else :y end
\set dst case when :side = 0 then :y else :x end
\set lo least(:src, :dst)
\set hi greatest(:src, :dst)
\set amount random(1, 9999)

BEGIN;
SELECT accounts.id, accounts.balance_minor FROM accounts WHERE accounts.id IN (:lo, :hi) ORDER BY accounts.id FOR UPDATE OF accounts;
WITH moved AS (UPDATE accounts SET balance_minor = accounts.balance_minor + CASE WHEN accounts.id = :src THEN -(:amount)::bigint WHEN accounts.id = :dst THEN (:amount)::bigint ELSE 0 END, updated_at = now() WHERE accounts.id IN (:src, :dst) RETURNING accounts.id, accounts.balance_minor) SELECT max(balance_minor) FILTER (WHERE id = :src) AS bsrc, max(balance_minor) FILTER (WHERE id = :dst) AS bdst FROM moved \gset
INSERT INTO journal_entries (type, currency, amount_minor, description, created_by, created_at) VALUES ('transfer', 'USD', :amount, NULL, 1, now()) RETURNING journal_entries.id AS entry \gset
INSERT INTO postings (entry_id, account_id, amount_minor, balance_after_minor, created_at) VALUES (:entry, :src, -(:amount)::bigint, :bsrc, now()), (:entry, :dst, :amount, :bdst, now());
COMMIT;
