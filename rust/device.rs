//! Where a tensor's memory lives. All matching on the device kind happens in the storage and in
//! the dispatch from ops to backends.
use crate::bail;
use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Device {
    Cpu,
    Cuda(usize),
}

/// The device types torch's parser knows. Only cpu and cuda can hold tensors here.
const KNOWN_TYPES: &[&str] = &[
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla", "lazy",
    "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
];

/// Parses torch's device strings (`cpu`, `cuda`, `cuda:1`) into (type, index).
pub fn parse_device_string(s: &str) -> Result<(String, Option<i64>)> {
    let (ty, idx) = match s.split_once(':') {
        Some((t, i)) => (t, Some(i)),
        None => (s, None),
    };
    if !KNOWN_TYPES.contains(&ty) {
        bail!(
            runtime,
            "Expected one of {} device type at start of device string: {}",
            KNOWN_TYPES.join(", "),
            s
        );
    }
    let index = match idx {
        None => None,
        Some(i) => {
            let ok = !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()) && !(i.len() > 1 && i.starts_with('0'));
            match i.parse::<i64>() {
                Ok(v) if ok => Some(v),
                _ => bail!(runtime, "Invalid device string: '{}'", s),
            }
        }
    };
    Ok((ty.to_string(), index))
}

impl Device {
    pub fn type_name(self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Cuda(_) => "cuda",
        }
    }
    pub fn index(self) -> Option<usize> {
        match self {
            Device::Cpu => None,
            Device::Cuda(i) => Some(i),
        }
    }
    pub fn is_cuda(self) -> bool {
        matches!(self, Device::Cuda(_))
    }
}

impl std::fmt::Display for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            Device::Cuda(i) => write!(f, "cuda:{i}"),
        }
    }
}
