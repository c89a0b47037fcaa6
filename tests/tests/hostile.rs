//! Hostile and broken guests (`tests/hostile/*.wat`): every one must give its exact typed
//! error, never a host panic, and the next call must work.
