//! Correlation: events → backup windows, incidents, chains, orphans, advice → `Report`.
//! (Being written: see issue 5.)
