# Installation is completed by the client issue (package config); placeholder kept minimal.
