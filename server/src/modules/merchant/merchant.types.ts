import { ConnectionType } from '../../common/pagination';
import { Merchant } from './merchant.entity';

export const MerchantConnection = ConnectionType(Merchant, 'Merchant');
