/** The journal's file name inside a data folder (SQLite keeps its -wal and -shm files beside it). */
export const JOURNAL_FILE = 'journal.sqlite'
