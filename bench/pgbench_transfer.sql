-- The transfer's write transaction exactly as corebank issues it on PostgreSQL (statement by
-- statement from the server log of one staff POST /api/v1/transfers with an Idempotency-Key;
-- `python -m bench.sqltrace` prints the app's current statements to compare with this file),
-- for `pgbench -M prepared -f bench/pgbench_transfer.sql -D naccounts=20000 -D nhot=5
-- -D hot=0|1 -D prefix=<run>`. Not included: the app's separate authentication read and the
-- pool's pre-ping round trips, which happen outside this transaction.
-- One difference, kept on purpose: the app sends the balance UPDATE, the entry and its
-- postings as one statement (a data-modifying CTE, ledger/repository.py post_entry); this
-- file keeps them as the three statements they were, one round trip each, as pgbench runs any
-- transaction. The issue's target compares the app with that statement-by-statement
-- transaction; the rows written are the same.
-- The audit row goes in unsealed, as the app's does (no lock on the chain's head); the app
-- seals it after the commit in a transaction of its own, which pgbench does not replay: run
-- `corebank audit seal` afterwards, then `corebank audit verify` holds on the bench database.
-- Balances are updated and posted under the account locks, so `corebank ledger verify` holds
-- after pgbench too.

\set x random(1, :naccounts)
\set y random(1, :naccounts - 1)
\set y case when :y >= :x then :y + 1 else :y end
\if :hot
\set r random(1, 100)
\if :r <= 80
\set x random(1, :nhot)
\set y random(:nhot + 1, :naccounts)
\endif
\endif
\set side random(0, 1)
\set src case when :side = 0 then :x else :y end
\set dst case when :side = 0 then :y else :x end
\set lo least(:src, :dst)
\set hi greatest(:src, :dst)
\set amount random(1, 9999)
\set k random(1, 1000000000000)

BEGIN;
SELECT pg_try_advisory_xact_lock(hashtextextended('idempotency:1:' || 'POST /api/v1/transfers:' || :prefix::text || '-' || :client_id::text || '-' || :k::text, 0));
SELECT user_id, route, key, fingerprint, response_status, response_body, created_at, expires_at, id FROM idempotency_keys WHERE user_id = 1 AND route = 'POST /api/v1/transfers' AND key = :prefix::text || '-' || :client_id::text || '-' || :k::text;
SAVEPOINT sa_savepoint_1;
SELECT accounts.id, accounts.customer_id FROM accounts WHERE accounts.id IN (:lo, :hi) ORDER BY accounts.id FOR UPDATE;
SELECT accounts.id, customers.user_id, accounts.kind, accounts.currency, accounts.status, accounts.balance_minor, accounts.held_minor, accounts.overdraft_limit_minor, customers.deleted_at IS NOT NULL AS anon_1 FROM accounts LEFT OUTER JOIN customers ON customers.id = accounts.customer_id WHERE accounts.id IN (:lo, :hi) ORDER BY accounts.id;
WITH moved AS (UPDATE accounts SET balance_minor = accounts.balance_minor + CASE WHEN accounts.id = :src THEN -(:amount)::bigint WHEN accounts.id = :dst THEN (:amount)::bigint ELSE 0 END, updated_at = now() WHERE accounts.id IN (:src, :dst) RETURNING accounts.id, accounts.balance_minor, accounts.held_minor) SELECT max(balance_minor) FILTER (WHERE id = :src) AS bsrc, max(balance_minor) FILTER (WHERE id = :dst) AS bdst FROM moved \gset
INSERT INTO journal_entries (type, currency, amount_minor, description, reverses_entry_id, created_by, correlation_id, created_at) VALUES ('transfer', 'USD', :amount, NULL, NULL, 1, md5(random()::text), now()) RETURNING journal_entries.id AS entry \gset
INSERT INTO postings (entry_id, account_id, amount_minor, balance_after_minor, created_at) VALUES (:entry, :src, -(:amount)::bigint, :bsrc, now()), (:entry, :dst, :amount, :bdst, now());
RELEASE SAVEPOINT sa_savepoint_1;
INSERT INTO idempotency_keys (user_id, route, key, fingerprint, response_status, response_body, created_at, expires_at) VALUES (1, 'POST /api/v1/transfers', :prefix::text || '-' || :client_id::text || '-' || :k::text, encode(sha256(random()::text::bytea), 'hex'), 201, json_build_object('id', :entry::bigint, 'type', 'transfer', 'status', 'posted', 'amount', (:amount::bigint / 100.0)::text, 'currency', 'USD', 'description', NULL, 'reverses_transaction_id', NULL, 'reversed_by_transaction_id', NULL, 'postings', json_build_array(json_build_object('account_id', :src::bigint, 'amount', (-(:amount)::bigint / 100.0)::text, 'balance_after', (:bsrc::bigint / 100.0)::text), json_build_object('account_id', :dst::bigint, 'amount', (:amount::bigint / 100.0)::text, 'balance_after', (:bdst::bigint / 100.0)::text)), 'created_at', now(), 'correlation_id', md5(random()::text), 'balances', json_build_array(json_build_object('account_id', :src::bigint, 'balance', (:bsrc::bigint / 100.0)::text, 'available_balance', (:bsrc::bigint / 100.0)::text), json_build_object('account_id', :dst::bigint, 'balance', (:bdst::bigint / 100.0)::text, 'available_balance', (:bdst::bigint / 100.0)::text))), now(), now() + interval '24 hours');
INSERT INTO outbox_events (event_id, type, version, occurred_at, aggregate_type, aggregate_id, payload, correlation_id, published_at, attempts, next_attempt_at, last_error) VALUES (gen_random_uuid()::text, 'transaction.posted', 1, now(), 'transaction', :entry::text, json_build_object('transaction_id', :entry::bigint, 'type', 'transfer', 'currency', 'USD', 'amount_minor', :amount::bigint, 'postings', json_build_array(json_build_object('account_id', :src::bigint, 'amount_minor', -(:amount)::bigint), json_build_object('account_id', :dst::bigint, 'amount_minor', :amount::bigint)), 'reverses_transaction_id', NULL), md5(random()::text), NULL, 0, now(), NULL);
INSERT INTO audit_events (occurred_at, actor_id, action, target_type, target_id, before, after, ip, user_agent, correlation_id) VALUES (now(), 1, 'transaction.posted', 'transaction', :entry::text, NULL, json_build_object('transaction_id', :entry::bigint, 'type', 'transfer', 'currency', 'USD', 'amount_minor', :amount::bigint, 'postings', json_build_array(json_build_object('account_id', :src::bigint, 'amount_minor', -(:amount)::bigint), json_build_object('account_id', :dst::bigint, 'amount_minor', :amount::bigint)), 'reverses_transaction_id', NULL, 'description', NULL), '127.0.0.1', 'pgbench', md5(random()::text));
COMMIT;
