// Runs a fuzz target's LLVMFuzzerTestOneInput over files, as an ordinary test program, so that the seed
// corpus and every input that once crashed a target are replayed by ctest (and under ASan/UBSan in CI)
// without clang's libFuzzer. usage: <target>_regression DIR_OR_FILE...
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  size_t inputs = 0;
  auto run = [&](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    ++inputs;
  };
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path path = argv[i];
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) run(entry.path());
      }
    } else if (std::filesystem::is_regular_file(path)) {
      run(path);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 1;
    }
  }
  std::printf("%zu inputs replayed, 0 failed\n", inputs);
  return inputs > 0 ? 0 : 1;
}
