// Never compiled: flowtrack_docs_probe exists for its compile settings (tests/docs/CMakeLists.txt).
