// `npm run db:migrate`: applies the checked-in SQL migrations to the database in DATABASE_URL
// (SQLite file by default, PostgreSQL when DATABASE_URL=postgres…). One migration set, two dialects:
// prisma/migrations/ (SQLite) and prisma/migrations-postgres/ (PostgreSQL), both produced by
// `npm run db:new-migration` from prisma/schema.prisma. Applied names are recorded in _rp_migrations,
// so the command is idempotent. (Prisma's own `migrate deploy` cannot run offline against PostgreSQL
// through adapter-pg — see docs/architecture.md.)
import { fileURLToPath } from "node:url";
import { migrate } from "./db-migrate-lib";

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  migrate(process.env.DATABASE_URL ?? "")
    .then((applied) => {
      console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
    })
    .catch((err) => {
      console.error(`migration failed: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    });
}
