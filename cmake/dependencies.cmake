# The project's dependencies: Debian 12 packages only (deploy/install-deps.sh
# installs them). Included by the top-level CMakeLists.txt and by the fuzzers'
# stand-alone project (tests/fuzz/CMakeLists.txt), so the two never differ.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(ROCKSDB REQUIRED IMPORTED_TARGET rocksdb)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
# abseil comes with gRPC; named here for what the project uses of it directly.
pkg_check_modules(ABSL_HASH REQUIRED IMPORTED_TARGET absl_flat_hash_map)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
# sd_notify readiness and watchdog for the daemons (common/service_notify).
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
