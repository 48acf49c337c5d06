-- Custos audit store, version 1. Portable between H2 and PostgreSQL. Statements end with ';' at the end of a line.
-- Every text column holds exactly what the record's canonical form uses, so the chain can be checked from the rows.
CREATE TABLE custos_audit (
  seq            BIGINT       NOT NULL PRIMARY KEY,
  recorded_at    VARCHAR(64)  NOT NULL,   -- Instant.toString() of the entry's time
  mission        VARCHAR      NOT NULL,
  lineage        VARCHAR      NOT NULL,   -- canonical JSON array of agent ids, root first
  agent          VARCHAR      NOT NULL,   -- the last of lineage, '' for none (derived, checked by verify)
  kind           VARCHAR(64)  NOT NULL,   -- AuditKind.text()
  policy_version VARCHAR      NOT NULL,   -- payload.policyVersion, '' for none (derived)
  rule_ids       VARCHAR      NOT NULL,   -- canonical JSON of payload.rules, '' for none (derived)
  credential_id  VARCHAR      NOT NULL,   -- payload.credential, '' for none (derived)
  grant_json     VARCHAR      NOT NULL,   -- canonical JSON of payload.grant, '' for none (derived)
  payload        VARCHAR      NOT NULL,   -- canonical JSON object
  prev_hash      CHAR(64)     NOT NULL,
  chain_hash     CHAR(64)     NOT NULL
);
CREATE INDEX custos_audit_by_mission ON custos_audit (mission, seq);
CREATE INDEX custos_audit_by_agent ON custos_audit (agent, seq);
CREATE TABLE custos_audit_checkpoint (
  seq            BIGINT       NOT NULL PRIMARY KEY,
  chain_hash     CHAR(64)     NOT NULL,
  signed_at      VARCHAR(64)  NOT NULL,
  key_id         VARCHAR(128) NOT NULL,   -- the JWK thumbprint of public_key
  public_key     VARCHAR(128) NOT NULL,   -- Ed25519, base64url; verify trusts only a key it is given
  signature      VARCHAR(256) NOT NULL    -- Ed25519 over CheckpointKey.message(seq, chain_hash), base64url
);
