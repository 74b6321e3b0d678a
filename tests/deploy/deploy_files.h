#pragma once
// deploy/'s files as the deploy tests read them: the Kubernetes objects of deploy/k8s and the
// instructions of deploy/Containerfile.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cola::test {

std::filesystem::path deploy_dir();

std::string read_text(const std::filesystem::path& path);

/// Every object of deploy/k8s/*.yaml, by kind (one of each kind is what we ship); a document
/// without apiVersion, kind or metadata.name is a test failure.
std::map<std::string, YAML::Node> load_objects();

/// A YAML list of scalars.
std::vector<std::string> strings(const YAML::Node& list);

/// The value after `flag` in a container's args; empty if absent.
std::string arg_value(const std::vector<std::string>& args, const std::string& flag);

/// A probe's port as a number: a number, or the name of one of the container's ports.
int probe_port(const YAML::Node& container, const YAML::Node& probe);

/// A container's args, with KServe's {{.Name}} filled in, and the model path they name.
struct ServedArgs {
  std::vector<std::string> args;
  std::string model_path;  // the value of --model: where the manifest expects the model
};
ServedArgs container_args(const YAML::Node& container, const std::string& kserve_name = "");

/// A serve setting: the flag in `args`, else configs/serve/default.yaml's `key`.
int serve_setting(const std::vector<std::string>& args, const std::string& flag,
                  const std::string& key);

/// The Containerfile's instructions, read as Docker reads them (continued lines joined, comments
/// dropped): "FROM" -> its arguments, once per occurrence.
std::map<std::string, std::vector<std::string>> read_containerfile();

}  // namespace cola::test
