// Claims for Citus workers (issue 18; test/citus/DESIGN.md, README "Citus").
//
// The coordinator, where jwt.authenticate verifies a token, seals the claims
// (core/carrier.hpp) bound to the distributed transaction it starts, and
// sends them with SET LOCAL pg_jwt.carrier, which Citus forwards to every
// worker connection of the transaction when citus.propagate_set_commands is
// 'local'. A worker's claim accessors open them with the same cluster key
// and the worker's own view of the transaction, database and role.
//
// Nothing here runs unless the citus library is loaded and the citus
// extension exists in the current database.
#pragma once

#include "pg/postgres_headers.hpp"

namespace pgjwt::pg {

// jwt.authenticate, after it set pg_jwt.claims (`claims`, "{}" when
// `anonymous`) and switched role. `forwardable`: called in a transaction
// block or by a function (otherwise what it sets ends with the statement,
// and its own warning says so). With Citus in the database: fails closed
// (55000) unless citus.propagate_set_commands is 'local' and a cluster key
// is configured; starts the coordinated transaction, reads its id, seals
// and runs SET LOCAL pg_jwt.carrier through SPI.
void forward_claims_to_citus(const char *claims, bool anonymous, bool forwardable);

// For the claim accessors, when pg_jwt.claims is empty: the claims a
// non-empty pg_jwt.carrier holds, opened once per transaction (28000 when
// they do not verify), as JSON object text valid until the transaction
// ends; nullptr when there is no carrier or no Citus in the database.
const char *carrier_claims();

// For the claim accessors, when no source gave claims: raises 55000 when
// this backend serves a Citus distributed transaction started elsewhere
// (a Citus-internal connection, or a distributed transaction id whose
// initiator is another node), where no claims means the coordinator sent
// none; returns otherwise.
void refuse_missing_claims_on_citus_worker();

// What jwt.authenticate sets lasts beyond the statement: it runs in a
// transaction block or is called by a function (authenticate_function.cpp).
bool set_lasts_beyond_the_statement();

// Registers the transaction callback that forgets per-transaction state.
void register_citus_carrier();

}  // namespace pgjwt::pg
