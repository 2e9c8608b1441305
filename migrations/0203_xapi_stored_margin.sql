-- Consistent-Through (xAPI 2.0 §4.1.6.1): statements must commit within a margin of their `stored` time, or a
-- poller that already read past that time would never see them. The caller passes what is left of the margin
-- when it sends the statement; the statement that stores them calls this after its insert and fails (SQLSTATE
-- LA001, Laurel's own; src/store/statements.ts maps it) when its own run has used it up. Only elapsed time is
-- compared on each side, so the application's and the database's clocks need not agree.
CREATE FUNCTION xapi_within_margin(budget_ms double precision) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 > budget_ms THEN
    RAISE EXCEPTION 'the statements would commit after the Consistent-Through margin' USING ERRCODE = 'LA001';
  END IF;
  RETURN true;
END
$$;
