import { stringValue } from '../../common/index.js';
import type { Attributes, SqlBlock } from './types.js';

/**
 * `db.system` / `db.system.name` values of SQL databases: the old conventions' names and the
 * stable ones (`microsoft.sql_server`, `oracle.db`, `ibm.db2`).
 */
const SQL_SYSTEMS: ReadonlySet<string> = new Set([
  'db2', 'derby', 'hive', 'mariadb', 'mssql', 'mysql', 'oracle', 'other_sql', 'postgresql', 'sqlite', 'teradata',
  'ibm.db2', 'microsoft.sql_server', 'oracle.db',
]);

/** Each field of the block and the attributes it is read from, old convention first, as the collector reads them. */
const SYSTEM_KEYS = ['db.system', 'db.system.name'];
const NAME_KEYS = ['db.name', 'db.namespace'];
const STATEMENT_KEYS = ['db.statement', 'db.query.text'];
const USER_KEYS = ['db.user'];
const CONNECTION_KEYS = ['db.connection_string'];

/** The attributes an `sql` block takes over; they are left out of the metadata, as the collector does. */
export const SQL_ATTRIBUTES: ReadonlySet<string> = new Set([...SYSTEM_KEYS, ...NAME_KEYS, ...STATEMENT_KEYS, ...USER_KEYS, ...CONNECTION_KEYS]);

function first(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = stringValue(attributes[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The `sql` block of a call to an SQL database, or undefined for any other span (a Redis or
 * DynamoDB call keeps its `db.*` attributes in the metadata). `url` is the span name and
 * `connection_string` is `<db.connection_string or "localhost">/<database name>`, both as the
 * collector's awsxray exporter makes them. `database_version` and `driver_version` stay empty:
 * no OpenTelemetry attribute carries them.
 */
export function makeSql(spanName: string, attributes: Attributes): SqlBlock | undefined {
  const system = first(attributes, SYSTEM_KEYS);
  if (system === undefined || !SQL_SYSTEMS.has(system)) return undefined;
  const block: SqlBlock = {
    url: spanName,
    connection_string: `${first(attributes, CONNECTION_KEYS) || 'localhost'}/${first(attributes, NAME_KEYS) ?? ''}`,
    database_type: system,
  };
  const user = first(attributes, USER_KEYS);
  if (user !== undefined && user !== '') block.user = user;
  const statement = first(attributes, STATEMENT_KEYS);
  if (statement !== undefined && statement !== '') block.sanitized_query = statement;
  return block;
}
